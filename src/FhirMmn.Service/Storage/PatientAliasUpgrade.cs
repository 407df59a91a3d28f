using System.Text.Json;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Service.Messaging;
using Microsoft.Data.Sqlite;

namespace FhirMmn.Service.Storage;

/// <summary>
/// The upgrade of a store of layout 3 to layout 4 (docs/patients.md): every patient record gets the names its stored
/// identity gives it (its key, its resource id, its identifier) as aliases and its <c>since</c>; records whose names
/// coincide are linked into the oldest, and for each such group a merge message is queued. The upgrade cannot reach the
/// FHIR server: the message's processing moves the results and episodes, writes the kept report up to date and withdraws
/// the others, like a bundle that links two records does.
/// </summary>
internal static class PatientAliasUpgrade
{
    public static void Run(SqliteConnection connection, SqliteTransaction transaction)
    {
        var records = new List<(string Feed, string Patient, long Since, IReadOnlyList<string> Aliases)>();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                SELECT p.feed, p.patient, p.identity,
                       (SELECT min(r.sequence) FROM results r WHERE r.feed = p.feed AND r.patient = p.patient)
                  FROM patients p ORDER BY p.feed, p.patient
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var identity = FeedObservationJson.DeserializePatient(reader.GetString(2));
                var since = reader.IsDBNull(3) ? long.MaxValue : reader.GetInt64(3);
                records.Add((reader.GetString(0), reader.GetString(1), since, PatientAliases.Of(identity with { Key = reader.GetString(1) })));
            }
        }

        foreach (var feed in records.GroupBy(r => r.Feed, StringComparer.Ordinal))
        {
            var members = feed.ToList();
            var parent = Enumerable.Range(0, members.Count).ToArray();
            int Root(int i) => parent[i] == i ? i : parent[i] = Root(parent[i]);
            var owner = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < members.Count; i++)
            {
                foreach (var alias in members[i].Aliases)
                {
                    if (owner.TryGetValue(alias, out var other))
                    {
                        parent[Root(i)] = Root(other);
                    }
                    else
                    {
                        owner[alias] = i;
                    }
                }
            }

            foreach (var group in Enumerable.Range(0, members.Count).GroupBy(Root))
            {
                var linked = group.Select(i => members[i]).OrderBy(m => m.Since).ThenBy(m => m.Patient, StringComparer.Ordinal).ToList();
                var kept = linked[0].Patient;
                foreach (var member in linked)
                {
                    Execute(connection, transaction, "UPDATE patients SET since = $since, merged_into = $into WHERE feed = $feed AND patient = $patient",
                        ("$since", member.Since == long.MaxValue ? DBNull.Value : member.Since), ("$into", member.Patient == kept ? DBNull.Value : kept),
                        ("$feed", feed.Key), ("$patient", member.Patient));
                    foreach (var alias in member.Aliases)
                    {
                        Execute(connection, transaction, "INSERT OR REPLACE INTO patient_aliases (feed, alias, patient) VALUES ($feed, $alias, $patient)",
                            ("$feed", feed.Key), ("$alias", alias), ("$patient", kept));
                    }
                }

                if (linked.Count > 1)
                {
                    Enqueue(connection, transaction, feed.Key, kept);
                }
            }
        }
    }

    private static void Enqueue(SqliteConnection connection, SqliteTransaction transaction, string feed, string patient)
    {
        var id = MessageIds.New();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Execute(connection, transaction, """
            INSERT INTO message_bodies (id, body) VALUES ($id, $body);
            INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at) VALUES ($id, $feed, $id, $now, 'queued', $now);
            """, ("$id", id), ("$body", MergeRequest.Body(patient)), ("$feed", feed), ("$now", now));
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}

/// <summary>
/// The body of a merge message: a FHIR Parameters naming the kept record, queued by the store's upgrade (never by the
/// intake, which takes Bundles only). Processing it reconciles the records already linked into that one.
/// </summary>
public static class MergeRequest
{
    private const string Name = "fhirmmn-merge-patient";

    public static byte[] Body(string patient) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["resourceType"] = "Parameters",
        ["parameter"] = new[] { new Dictionary<string, string> { ["name"] = Name, ["valueString"] = patient } },
    });

    /// <summary>The kept record a merge message names; null for any other body (a feed bundle).</summary>
    public static string? Patient(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"Parameters\""u8) < 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("resourceType", out var type) && type.ValueEquals("Parameters")
                && root.TryGetProperty("parameter", out var parameters) && parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 1
                && parameters[0].TryGetProperty("name", out var name) && name.ValueEquals(Name)
                && parameters[0].TryGetProperty("valueString", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
