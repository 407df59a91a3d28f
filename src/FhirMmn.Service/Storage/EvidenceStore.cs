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
    /// The work that stores a message's results (one row, replaced on redelivery) and the patient's episodes as
    /// they now stand; the transport runs it in the same commit as the message's completion. The JSON is made
    /// here, not on the writer's thread.
    /// </summary>
    public static StoreWork Save(string feed, PatientIdentity patient, long sequence, IReadOnlyList<FeedObservation> added, IReadOnlyList<Episode> episodes)
    {
        var identity = FeedObservationJson.Serialize(patient);
        var results = FeedObservationJson.Serialize(added);
        return (connection, transaction) =>
        {
            var command = Command(connection, transaction, """
                INSERT INTO patients (feed, patient, identity) VALUES ($feed, $patient, $identity)
                ON CONFLICT (feed, patient) DO UPDATE SET identity = excluded.identity
                """, feed, patient.Key);
            command.Parameters.AddWithValue("$identity", identity);
            command.ExecuteNonQuery();

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
