using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace FhirMmn.Service.Storage;

/// <summary>Which messages a listing or a resubmission takes. Times are instants; every part is optional.</summary>
public sealed record MessageFilter(
    string? State = null,
    string? Feed = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    string? Reason = null);

/// <summary>One message as operations see it: state, attempts, reason codes and times, nothing of the bundle.</summary>
public sealed record MessageSummary(
    string Id,
    string Feed,
    string State,
    int Attempts,
    IReadOnlyList<string> Reasons,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? CompletedAt);

/// <summary>One step of a message's history: received, completed, rescheduled, released, dead-lettered, resubmitted.</summary>
public sealed record MessageEvent(DateTimeOffset At, string Event, int Attempt, IReadOnlyList<string> Codes);

/// <summary>The queue of one feed now: messages waiting (queued, processing), dead-lettered, and the oldest waiting one's age.</summary>
public sealed record QueueSnapshot(string Feed, long Queued, long Processing, long DeadLettered, TimeSpan OldestAge)
{
    public long Waiting => Queued + Processing;
}

/// <summary>One feed over the last hour: what came, what was written, how long it took from intake to completion.</summary>
public sealed record HourSnapshot(string Feed, long Received, long Completed, long DeadLettered, long Rescheduled, double? LatencyP50Ms, double? LatencyP95Ms);

/// <summary>
/// The embedded transport's message records, read for operations (the messages API, the page, the gauges), and each
/// message's history (message_events), written at its settlements. Only ids, feeds, states, counts, FHIR issue codes
/// and times are read out; bodies and OperationOutcome texts never are.
/// </summary>
public sealed class MessageLedger(Database database, TimeProvider clock)
{
    public const int MaxPage = 500;

    /// <summary>Events and codes kept per message at most (a message rescheduled for days has many).</summary>
    private const int MaxEvents = 200;

    /// <summary>Completions read for the latency percentiles of the last hour at most (the newest).</summary>
    private const int MaxLatencySamples = 100_000;

    public static readonly IReadOnlyList<string> States = ["queued", "processing", "completed", "dead-lettered"];

    /// <summary>Newest first; <paramref name="after"/> is the sequence of the last message of the previous page (its cursor).</summary>
    public (IReadOnlyList<MessageSummary> Messages, long? Next) List(MessageFilter filter, int count, long? after)
    {
        ArgumentNullException.ThrowIfNull(filter);
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        var where = Where(filter, command);
        if (after is { } cursor)
        {
            where.Add("sequence < $after");
            command.Parameters.AddWithValue("$after", cursor);
        }

        command.CommandText = "SELECT sequence, id, feed, state, attempts, outcome, last_issue, received_at, due_at, completed_at FROM messages"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
            + " ORDER BY sequence DESC LIMIT $count";
        command.Parameters.AddWithValue("$count", count + 1);
        var messages = new List<MessageSummary>();
        long? next = null;
        long last = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (messages.Count == count)
            {
                next = last;
                break;
            }

            last = reader.GetInt64(0);
            var state = reader.GetString(3);
            messages.Add(new MessageSummary(
                reader.GetString(1),
                reader.GetString(2),
                state,
                reader.GetInt32(4),
                Reasons(state, reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)),
                Time(reader.GetInt64(7)),
                state == "queued" ? Time(reader.GetInt64(8)) : null,
                reader.IsDBNull(9) ? null : Time(reader.GetInt64(9))));
        }

        return (messages, next);
    }

    /// <summary>A message's summary and history, oldest first; null when there is no such message.</summary>
    public (MessageSummary Message, IReadOnlyList<MessageEvent> Events)? History(string id)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, feed, state, attempts, outcome, last_issue, received_at, due_at, completed_at FROM messages WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        MessageSummary message;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            var state = reader.GetString(2);
            message = new MessageSummary(
                reader.GetString(0), reader.GetString(1), state, reader.GetInt32(3),
                Reasons(state, reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)),
                Time(reader.GetInt64(6)), state == "queued" ? Time(reader.GetInt64(7)) : null, reader.IsDBNull(8) ? null : Time(reader.GetInt64(8)));
        }

        var events = new List<MessageEvent> { new(message.ReceivedAt, "received", 0, []) };
        command.CommandText = "SELECT at, event, attempt, codes FROM message_events WHERE message_id = $id ORDER BY sequence LIMIT $max";
        command.Parameters.AddWithValue("$max", MaxEvents);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                events.Add(new MessageEvent(Time(reader.GetInt64(0)), reader.GetString(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? [] : reader.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries)));
            }
        }

        return (message, events);
    }

    /// <summary>The ids of dead-lettered messages that match, oldest first, at most <paramref name="max"/>, and how many match in all.</summary>
    public (IReadOnlyList<string> Ids, long Matched) DeadLettered(MessageFilter filter, int max)
    {
        ArgumentNullException.ThrowIfNull(filter);
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        var where = Where(filter with { State = "dead-lettered" }, command);
        var clause = " WHERE " + string.Join(" AND ", where);
        command.CommandText = "SELECT count(*) FROM messages" + clause;
        var matched = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        command.CommandText = "SELECT id FROM messages" + clause + " ORDER BY sequence LIMIT $max";
        command.Parameters.AddWithValue("$max", max);
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return (ids, matched);
    }

    /// <summary>Per feed: waiting and dead-lettered messages and the age of the oldest waiting one.</summary>
    public IEnumerable<QueueSnapshot> Queues(DateTimeOffset now)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT feed, state, count(*), min(received_at) FROM messages
             WHERE state IN ('queued', 'processing', 'dead-lettered')
             GROUP BY feed, state
            """;
        var feeds = new SortedDictionary<string, QueueSnapshot>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var feed = reader.GetString(0);
            var current = feeds.TryGetValue(feed, out var known) ? known : new QueueSnapshot(feed, 0, 0, 0, TimeSpan.Zero);
            var count = reader.GetInt64(2);
            var age = now - Time(reader.GetInt64(3));
            feeds[feed] = reader.GetString(1) switch
            {
                "queued" => current with { Queued = count, OldestAge = Max(current.OldestAge, age) },
                "processing" => current with { Processing = count, OldestAge = Max(current.OldestAge, age) },
                _ => current with { DeadLettered = count },
            };
        }

        return feeds.Values.ToList();
    }

    /// <summary>Per feed, the hour before <paramref name="now"/>.</summary>
    public IReadOnlyList<HourSnapshot> LastHour(DateTimeOffset now)
    {
        var since = (now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds();
        using var connection = database.OpenReader();
        var feeds = new SortedDictionary<string, HourSnapshot>(StringComparer.Ordinal);
        HourSnapshot Of(string feed) => feeds.TryGetValue(feed, out var known) ? known : new HourSnapshot(feed, 0, 0, 0, 0, null, null);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT feed,
                       sum(received_at >= $since),
                       sum(state = 'completed' AND completed_at >= $since),
                       sum(state = 'dead-lettered' AND completed_at >= $since)
                  FROM messages WHERE received_at >= $since OR completed_at >= $since GROUP BY feed
                """;
            command.Parameters.AddWithValue("$since", since);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var feed = reader.GetString(0);
                feeds[feed] = Of(feed) with { Received = reader.GetInt64(1), Completed = reader.GetInt64(2), DeadLettered = reader.GetInt64(3) };
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT m.feed, count(*) FROM message_events e JOIN messages m ON m.id = e.message_id
                 WHERE e.at >= $since AND e.event = 'rescheduled' GROUP BY m.feed
                """;
            command.Parameters.AddWithValue("$since", since);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var feed = reader.GetString(0);
                feeds[feed] = Of(feed) with { Rescheduled = reader.GetInt64(1) };
            }
        }

        foreach (var feed in feeds.Keys.ToList())
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT completed_at - received_at FROM messages
                 WHERE feed = $feed AND state = 'completed' AND completed_at >= $since
                 ORDER BY completed_at DESC LIMIT $max
                """;
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$since", since);
            command.Parameters.AddWithValue("$max", MaxLatencySamples);
            var samples = new List<long>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    samples.Add(reader.GetInt64(0));
                }
            }

            if (samples.Count > 0)
            {
                samples.Sort();
                feeds[feed] = feeds[feed] with { LatencyP50Ms = Percentile(samples, 0.50), LatencyP95Ms = Percentile(samples, 0.95) };
            }
        }

        return feeds.Values.ToList();
    }

    /// <summary>Adds a step to a message's history, ordered like a settlement (its codes: FHIR issue codes, never texts).</summary>
    public Task RecordAsync(string messageId, string @event, int attempt, IEnumerable<string> codes, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var joined = string.Join(",", codes.Distinct(StringComparer.Ordinal));
        return database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction,
                "INSERT INTO message_events (message_id, at, event, attempt, codes) VALUES ($id, $at, $event, $attempt, $codes)");
            command.Parameters.AddWithValue("$id", messageId);
            command.Parameters.AddWithValue("$at", at);
            command.Parameters.AddWithValue("$event", @event);
            command.Parameters.AddWithValue("$attempt", attempt);
            command.Parameters.AddWithValue("$codes", joined.Length == 0 ? DBNull.Value : joined);
            command.ExecuteNonQuery();
        }, Durability.Ordered, cancellationToken);
    }

    /// <summary>The FHIR issue codes of an OperationOutcome, distinct, in order; never its texts.</summary>
    public static IReadOnlyList<string> IssueCodes(string? outcomeJson)
    {
        if (string.IsNullOrEmpty(outcomeJson))
        {
            return [];
        }

        try
        {
            using var outcome = JsonDocument.Parse(outcomeJson);
            if (!outcome.RootElement.TryGetProperty("issue", out var issues) || issues.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return issues.EnumerateArray()
                .Select(i => i.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString()! : null)
                .Where(IsCode)
                .Select(c => c!)
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>A FHIR code token (the issue-type value set's shape): anything else is not shown, whatever stored it.</summary>
    private static bool IsCode(string? code) =>
        code is { Length: > 0 and <= 64 } && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static IReadOnlyList<string> Reasons(string state, string? outcome, string? lastIssue) => state switch
    {
        "dead-lettered" => IssueCodes(outcome),
        _ when IsCode(lastIssue) => [lastIssue!],
        _ => [],
    };

    private static List<string> Where(MessageFilter filter, SqliteCommand command)
    {
        var where = new List<string>();
        if (filter.State is { } state)
        {
            where.Add("state = $state");
            command.Parameters.AddWithValue("$state", state);
        }

        if (filter.Feed is { } feed)
        {
            where.Add("feed = $feed");
            command.Parameters.AddWithValue("$feed", feed);
        }

        if (filter.Since is { } since)
        {
            where.Add("received_at >= $since");
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        }

        if (filter.Until is { } until)
        {
            where.Add("received_at < $until");
            command.Parameters.AddWithValue("$until", until.ToUnixTimeMilliseconds());
        }

        if (filter.Reason is { } reason)
        {
            where.Add("""
                CASE WHEN state = 'dead-lettered'
                     THEN EXISTS (SELECT 1 FROM json_each(outcome, '$.issue') WHERE json_extract(value, '$.code') = $reason)
                     ELSE last_issue IS $reason END
                """);
            command.Parameters.AddWithValue("$reason", reason);
        }

        return where;
    }

    private static double Percentile(List<long> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
