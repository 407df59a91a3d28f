using FhirMmn.Fhir.Extraction;
using Microsoft.Data.Sqlite;

namespace FhirMmn.Service.Storage;

/// <summary>
/// One assessment episode of a patient and what was last written for it, to <paramref name="Target"/> (the
/// write-back target's identity; null when not known).
/// </summary>
public sealed record Episode(
    int Number,
    DateTimeOffset? StartsAfter,
    DateTimeOffset? NewestInput,
    string? Digest,
    string? Category,
    string? ReportReference,
    string? ReportVersion,
    string? PlanReference,
    string? PlanVersion,
    int PlanGeneration,
    string? Target = null)
{
    public static Episode First => new(1, null, null, null, null, null, null, null, null, 1);

    /// <summary>The episode as seen from another target: its evidence window stays, nothing is known written there.</summary>
    public Episode Unwritten() => this with
    {
        Digest = null, Category = null, ReportReference = null, ReportVersion = null, PlanReference = null, PlanVersion = null, Target = null,
    };
}

/// <summary>Everything kept of one patient of one feed: results from every bundle, and the episodes.</summary>
public sealed record PatientRecord(IReadOnlyList<FeedObservation> Observations, IReadOnlyList<Episode> Episodes);

/// <summary>The results of each patient, merged across bundles, and the state of their assessments.</summary>
public sealed class EvidenceStore(Database database)
{
    public PatientRecord Load(string feed, string patient)
    {
        using var connection = database.OpenReader();
        var observations = new List<FeedObservation>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT data FROM results WHERE feed = $feed AND patient = $patient ORDER BY sequence";
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$patient", patient);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                observations.AddRange(FeedObservationJson.DeserializeList(reader.GetString(0)));
            }
        }

        var episodes = new List<Episode>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT episode, starts_after, newest_input, digest, category, report_ref, report_version, plan_ref, plan_version, plan_generation, target
                  FROM episodes WHERE feed = $feed AND patient = $patient ORDER BY episode
                """;
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$patient", patient);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                episodes.Add(new Episode(
                    reader.GetInt32(0),
                    Time(reader, 1),
                    Time(reader, 2),
                    Text(reader, 3),
                    Text(reader, 4),
                    Text(reader, 5),
                    Text(reader, 6),
                    Text(reader, 7),
                    Text(reader, 8),
                    reader.GetInt32(9),
                    Text(reader, 10)));
            }
        }

        return new PatientRecord(observations, episodes);
    }

    /// <summary>
    /// The records the <paramref name="aliases"/> lead to (following links to the record kept), each once, oldest
    /// first (by <c>since</c>, then key); empty for a patient not seen before.
    /// </summary>
    public IReadOnlyList<string> Resolve(string feed, IEnumerable<string> aliases)
    {
        using var connection = database.OpenReader();
        var found = new List<(string Patient, long Since)>();
        foreach (var alias in aliases.Distinct(StringComparer.Ordinal))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT patient FROM patient_aliases WHERE feed = $feed AND alias = $alias";
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$alias", alias);
            if (command.ExecuteScalar() is string patient && !found.Exists(f => f.Patient == patient))
            {
                var root = Root(connection, feed, patient);
                if (root is not null && !found.Exists(f => f.Patient == root.Value.Patient))
                {
                    found.Add(root.Value);
                }
            }
        }

        return found.OrderBy(f => f.Since).ThenBy(f => f.Patient, StringComparer.Ordinal).Select(f => f.Patient).ToList();
    }

    /// <summary>The record <paramref name="patient"/> was linked into (itself when it is kept), with its since.</summary>
    private static (string Patient, long Since)? Root(SqliteConnection connection, string feed, string patient)
    {
        for (var depth = 0; depth < 64; depth++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT merged_into, since FROM patients WHERE feed = $feed AND patient = $patient";
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$patient", patient);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            if (reader.IsDBNull(0))
            {
                return (patient, reader.IsDBNull(1) ? long.MaxValue : reader.GetInt64(1));
            }

            patient = reader.GetString(0);
        }

        throw new InvalidOperationException("The links between patient records form a cycle.");
    }

    /// <summary>Records linked into <paramref name="patient"/> whose results or episodes have not moved yet (a store upgrade links them; a merge message moves them).</summary>
    public IReadOnlyList<string> Pending(string feed, string patient)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT p.patient FROM patients p
             WHERE p.feed = $feed AND p.merged_into = $patient
               AND (EXISTS (SELECT 1 FROM results r WHERE r.feed = p.feed AND r.patient = p.patient)
                    OR EXISTS (SELECT 1 FROM episodes e WHERE e.feed = p.feed AND e.patient = p.patient))
             ORDER BY p.since, p.patient
            """;
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$patient", patient);
        using var reader = command.ExecuteReader();
        var pending = new List<string>();
        while (reader.Read())
        {
            pending.Add(reader.GetString(0));
        }

        return pending;
    }

    /// <summary>Every alias that leads to <paramref name="patient"/>.</summary>
    public IReadOnlyList<string> AliasesOf(string feed, string patient)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT alias FROM patient_aliases WHERE feed = $feed AND patient = $patient ORDER BY alias";
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$patient", patient);
        using var reader = command.ExecuteReader();
        var aliases = new List<string>();
        while (reader.Read())
        {
            aliases.Add(reader.GetString(0));
        }

        return aliases;
    }

    /// <summary>The identity last stored for a record; null when there is none.</summary>
    public PatientIdentity? Identity(string feed, string patient)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT identity FROM patients WHERE feed = $feed AND patient = $patient";
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$patient", patient);
        return command.ExecuteScalar() is string json ? FeedObservationJson.DeserializePatient(json) : null;
    }

    /// <summary>
    /// The work that stores a message's results (one row, replaced on redelivery) and the patient's episodes as
    /// they now stand; the transport runs it in the same commit as the message's completion. The JSON is made
    /// here, not on the writer's thread.
    /// </summary>
    /// <remarks>
    /// The record is <paramref name="patient"/>'s key. The records in <paramref name="absorbed"/> are linked into it: their
    /// results move to it, their episodes go (their reports were withdrawn), and every alias of theirs leads to it, as
    /// do <paramref name="aliases"/>.
    /// </remarks>
    public static StoreWork Save(
        string feed, PatientIdentity patient, long sequence, IReadOnlyList<FeedObservation> added, IReadOnlyList<Episode> episodes,
        IReadOnlyList<string>? absorbed = null, IReadOnlyList<string>? aliases = null)
    {
        var identity = FeedObservationJson.Serialize(patient);
        var results = FeedObservationJson.Serialize(added);
        return (connection, transaction) =>
        {
            var command = Command(connection, transaction, """
                INSERT INTO patients (feed, patient, identity, since) VALUES ($feed, $patient, $identity, $since)
                ON CONFLICT (feed, patient) DO UPDATE SET identity = excluded.identity, since = coalesce(patients.since, excluded.since)
                """, feed, patient.Key);
            command.Parameters.AddWithValue("$identity", identity);
            command.Parameters.AddWithValue("$since", sequence);
            command.ExecuteNonQuery();

            foreach (var other in absorbed ?? [])
            {
                foreach (var sql in new[]
                {
                    "UPDATE patients SET merged_into = $into WHERE feed = $feed AND patient = $patient",
                    "UPDATE patients SET merged_into = $into WHERE feed = $feed AND merged_into = $patient",
                    "UPDATE OR REPLACE results SET patient = $into WHERE feed = $feed AND patient = $patient",
                    "DELETE FROM episodes WHERE feed = $feed AND patient = $patient",
                    "UPDATE patient_aliases SET patient = $into WHERE feed = $feed AND patient = $patient",
                })
                {
                    command = Command(connection, transaction, sql, feed, other);
                    command.Parameters.AddWithValue("$into", patient.Key);
                    command.ExecuteNonQuery();
                }
            }

            foreach (var alias in (aliases ?? []).Append(patient.Key))
            {
                command = Command(connection, transaction, """
                    INSERT INTO patient_aliases (feed, alias, patient) VALUES ($feed, $alias, $patient)
                    ON CONFLICT (feed, alias) DO UPDATE SET patient = excluded.patient
                    """, feed, patient.Key);
                command.Parameters.AddWithValue("$alias", alias);
                command.ExecuteNonQuery();
            }

            command = Command(connection, transaction, """
                INSERT OR REPLACE INTO results (feed, patient, sequence, data) VALUES ($feed, $patient, $sequence, $data)
                """, feed, patient.Key);
            command.Parameters.AddWithValue("$sequence", sequence);
            command.Parameters.AddWithValue("$data", results);
            command.ExecuteNonQuery();

            foreach (var e in episodes)
            {
                command = Command(connection, transaction, """
                    INSERT OR REPLACE INTO episodes
                        (feed, patient, episode, starts_after, newest_input, digest, category, report_ref, report_version, plan_ref, plan_version, plan_generation, target)
                    VALUES ($feed, $patient, $episode, $starts, $newest, $digest, $category, $report, $reportVersion, $plan, $planVersion, $generation, $target)
                    """, feed, patient.Key);
                command.Parameters.AddWithValue("$episode", e.Number);
                command.Parameters.AddWithValue("$starts", (object?)e.StartsAfter?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                command.Parameters.AddWithValue("$newest", (object?)e.NewestInput?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                command.Parameters.AddWithValue("$digest", (object?)e.Digest ?? DBNull.Value);
                command.Parameters.AddWithValue("$category", (object?)e.Category ?? DBNull.Value);
                command.Parameters.AddWithValue("$report", (object?)e.ReportReference ?? DBNull.Value);
                command.Parameters.AddWithValue("$reportVersion", (object?)e.ReportVersion ?? DBNull.Value);
                command.Parameters.AddWithValue("$plan", (object?)e.PlanReference ?? DBNull.Value);
                command.Parameters.AddWithValue("$planVersion", (object?)e.PlanVersion ?? DBNull.Value);
                command.Parameters.AddWithValue("$generation", e.PlanGeneration);
                command.Parameters.AddWithValue("$target", (object?)e.Target ?? DBNull.Value);
                command.ExecuteNonQuery();
            }
        };
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string feed, string patient)
    {
        var command = Database.Prepared(connection, transaction, sql);
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$patient", patient);
        return command;
    }

    private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static DateTimeOffset? Time(SqliteDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
}
