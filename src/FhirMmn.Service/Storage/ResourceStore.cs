using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FhirMmn.Fhir.Client;
using FhirMmn.Fhir.Extraction;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;
using FhirJson = FhirMmn.Fhir.Model.FhirJson;

namespace FhirMmn.Service.Storage;

/// <summary>A resource kept by the embedded store, with its version.</summary>
public sealed record StoredResource(string Type, string Id, int Version, DateTimeOffset LastUpdated, string Json)
{
    public string Reference => $"{Type}/{Id}";

    public string VersionedReference => $"{Type}/{Id}/_history/{Version.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A page of a search: the resources, the number of all matches, and where the next page starts (null: this is the last).</summary>
public sealed record SearchPage(IReadOnlyList<StoredResource> Resources, int Total, PageCursor? Next);

/// <summary>
/// Where a page starts: after the resource last updated at <paramref name="LastUpdated"/> (Unix milliseconds) with
/// <paramref name="Id"/>, in the order newest first. Clients see it as an opaque token.
/// </summary>
public sealed record PageCursor(long LastUpdated, string Id)
{
    private const string Version = "1";

    public string Token => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}.{LastUpdated.ToString(CultureInfo.InvariantCulture)}.{Id}"));

    /// <summary>The cursor a token stands for; null when the token is not one this service gave.</summary>
    public static PageCursor? FromToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200 || !Base64Url.IsValid(token))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('.', 3);
        return parts is [Version, var updated, var id]
            && long.TryParse(updated, NumberStyles.None, CultureInfo.InvariantCulture, out var lastUpdated)
            && id.Length is > 0 and <= 64
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
            ? new PageCursor(lastUpdated, id)
            : null;
    }
}

/// <summary>
/// Where the results go when no FHIR server is configured: the write-back transaction is applied here with
/// the same rules a FHIR server applies (conditional update and create, ifMatch, urn:uuid references
/// resolved), and the resources are served read-only under /fhir.
/// </summary>
public sealed class ResourceStore(Database database, TimeProvider clock)
{
    public StoredResource? Read(string feed, string type, string id)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, id, version, last_updated, json FROM resources WHERE type = $type AND id = $id AND feed = $feed";
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    public StoredResource? FindByIdentifier(string feed, string type, string system, string value)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, id, version, last_updated, json FROM resources WHERE type = $type AND identifier = $identifier AND feed = $feed";
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$identifier", $"{system}|{value}");
        using var reader = command.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    /// <summary>
    /// A page of the resources of a type, by subject (Patient/{id}) and/or identifier (system|value), newest first (last
    /// updated, then id), starting after <paramref name="after"/>; with the number of all matches and where the next page
    /// starts. The page and the count are read in one transaction, so they agree. Paging by position in that order
    /// (keyset), not by offset: a resource written between two pages moves to the front and does not shift the rest.
    /// </summary>
    public SearchPage Search(string feed, string type, string? subject, string? identifier, int count, PageCursor? after = null)
    {
        using var connection = database.OpenReader();
        using var tx = connection.BeginTransaction(deferred: true);
        var where = new StringBuilder("type = $type AND feed = $feed");
        var parameters = new List<(string Name, object Value)> { ("$type", type), ("$feed", feed) };
        if (subject is not null)
        {
            where.Append(" AND subject = $subject");
            parameters.Add(("$subject", subject));
        }

        if (identifier is not null)
        {
            where.Append(" AND identifier = $identifier");
            parameters.Add(("$identifier", identifier));
        }

        using var total = Command(connection, tx, $"SELECT COUNT(*) FROM resources WHERE {where}", parameters);
        var matches = Convert.ToInt32(total.ExecuteScalar(), CultureInfo.InvariantCulture);

        var page = new List<(string Name, object Value)>(parameters) { ("$limit", count + 1) };
        var start = string.Empty;
        if (after is not null)
        {
            start = " AND (last_updated < $after OR (last_updated = $after AND id > $afterId))";
            page.Add(("$after", after.LastUpdated));
            page.Add(("$afterId", after.Id));
        }

        using var command = Command(connection, tx,
            $"SELECT type, id, version, last_updated, json FROM resources WHERE {where}{start} ORDER BY last_updated DESC, id LIMIT $limit", page);
        using var reader = command.ExecuteReader();
        var found = new List<StoredResource>();
        while (reader.Read())
        {
            found.Add(Row(reader));
        }

        PageCursor? next = null;
        if (found.Count > count)
        {
            found.RemoveAt(count);
            next = new PageCursor(found[^1].LastUpdated.ToUnixTimeMilliseconds(), found[^1].Id);
        }

        return new SearchPage(found, matches, next);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql, List<(string Name, object Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>Applies a write-back transaction atomically; returns the versioned references written.</summary>
    /// <summary>Applies a write-back transaction of <paramref name="feed"/> atomically, filed under it; returns the versioned references written.</summary>
    public Task<IReadOnlyList<string>> ApplyAsync(string feed, Bundle transaction, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, tx) => (IReadOnlyList<string>)Apply(connection, tx, feed, transaction), Durability.Ordered, cancellationToken);

    private List<string> Apply(SqliteConnection connection, SqliteTransaction tx, string feed, Bundle transaction)
    {
        var now = clock.GetUtcNow();
        var lastUpdated = new Instant { JsonValue = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) };
        var plans = new List<(Resource Resource, string Type, string Id, int Version, string? Key, bool Write)>();
        var urns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in transaction.Entry)
        {
            var request = entry.Request!;
            var type = entry.Resource!.TypeName;
            var condition = request.Method == Bundle.HTTPVerb.PUT ? Query(request.Url!) : request.IfNoneExist;
            var key = condition is null ? null : ConditionKey(condition);
            var existing = key is null ? null : Match(connection, tx, feed, type, key);
            if (request.IfMatch is { } ifMatch && existing is not null && ifMatch != $"W/\"{existing.Version.ToString(CultureInfo.InvariantCulture)}\"")
            {
                throw new FhirServerException(412, $"Version conflict on {type}.");
            }

            var id = existing?.Id ?? StableId(feed, type, condition ?? Guid.NewGuid().ToString("N"));
            var write = request.Method == Bundle.HTTPVerb.PUT || existing is null;
            plans.Add((entry.Resource, type, id, (existing?.Version ?? 0) + (write ? 1 : 0), key, write));
            if (entry.FullUrl is { } urn)
            {
                urns[urn] = $"{type}/{id}";
            }
        }

        // Provenance and Device have no subject: they are filed under the patient of the report they come with.
        var patient = transaction.Entry.Select(e => e.Resource).OfType<DiagnosticReport>().Select(r => Normalise(r.Subject?.Reference)).FirstOrDefault();
        var written = new List<string>();
        foreach (var (resource, type, id, version, key, write) in plans)
        {
            if (!write)
            {
                continue;
            }

            // A copy with the server's id and meta, written once; Firely writes resourceType, id and meta first.
            var stored = (Resource)resource.DeepCopy();
            stored.Id = id;
            stored.Meta ??= new Meta();
            stored.Meta.VersionId = version.ToString(CultureInfo.InvariantCulture);
            stored.Meta.LastUpdatedElement = (Instant)lastUpdated.DeepCopy();
            var json = FhirJson.Serialize(stored);
            foreach (var (urn, reference) in urns)
            {
                json = json.Replace($"\"{urn}\"", $"\"{reference}\"", StringComparison.Ordinal);
            }

            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO resources (type, id, version, subject, identifier, last_updated, json, feed)
                VALUES ($type, $id, $version, $subject, $identifier, $updated, $json, $feed)
                ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, subject = excluded.subject,
                    identifier = excluded.identifier, last_updated = excluded.last_updated, json = excluded.json
                """;
            command.Parameters.AddWithValue("$type", type);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$subject", (object?)Normalise(Subject(resource)) ?? (object?)patient ?? DBNull.Value);
            command.Parameters.AddWithValue("$identifier", (object?)key ?? DBNull.Value);
            command.Parameters.AddWithValue("$updated", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$json", json);
            command.Parameters.AddWithValue("$feed", feed);
            command.ExecuteNonQuery();
            written.Add($"{type}/{id}/_history/{version.ToString(CultureInfo.InvariantCulture)}");
        }

        return written;
    }

    /// <summary>The patient a written resource is about, for searches by subject (the write-back's types that have one).</summary>
    private static string? Subject(Resource resource) => resource switch
    {
        DiagnosticReport report => report.Subject?.Reference,
        CarePlan plan => plan.Subject?.Reference,
        Observation observation => observation.Subject?.Reference,
        _ => null,
    };

    private static string? Query(string url) => url.IndexOf('?', StringComparison.Ordinal) is var i and >= 0 ? url[(i + 1)..] : null;

    /// <summary>
    /// The identifier column a condition matches: system|value for identifier=system|value, tag:system|code for
    /// _tag=system|code. The write-back's conditions name the identifier (or tag) the resource is created with, so a
    /// resource is stored under the key its next conditional write will look for.
    /// </summary>
    private static string ConditionKey(string condition)
    {
        var (name, value) = condition.Split('=', 2) is [var n, var v] ? (n, Uri.UnescapeDataString(v)) : (condition, string.Empty);
        return name switch
        {
            "identifier" => value,
            "_tag" => "tag:" + value,
            _ => throw new FhirServerException(400, "Only identifier and _tag conditions are supported by the embedded store."),
        };
    }

    private static StoredResource? Match(SqliteConnection connection, SqliteTransaction tx, string feed, string type, string key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT type, id, version, last_updated, json FROM resources WHERE type = $type AND identifier = $identifier AND feed = $feed";
        command.Parameters.AddWithValue("$feed", feed);
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$identifier", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    /// <summary>The id of a new resource: of its feed, type and condition, so that two feeds never share one (the Device included).</summary>
    private static string StableId(string feed, string type, string condition) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{feed}\n{type}\n{condition}")))[..32];

    /// <summary>A patient reference as Patient/{id}, so that searches by subject find absolute references too.</summary>
    private static string? Normalise(string? reference) =>
        reference is null ? null : References.ParseRestful(reference)?.Relative ?? reference;

    private static StoredResource Row(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetInt32(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4));
}
