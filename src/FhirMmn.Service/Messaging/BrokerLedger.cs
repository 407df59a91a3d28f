using System.Security.Cryptography;
using System.Text;
using FhirMmn.Service.Storage;
using Microsoft.Data.Sqlite;

namespace FhirMmn.Service.Messaging;

/// <summary>A broker delivery as the ledger sees it: the message's ledger id and the token of this one delivery.</summary>
public sealed record Arrival(string Id, string Feed, string CorrelationId, string LockToken);

/// <summary>What the ledger holds of a delivered message: the message to hand out, or the state it already ended in.</summary>
public sealed record LedgerEntry(QueueMessage Message, string State, string? Outcome)
{
    /// <summary>Completed or dead-lettered before: a redelivery, settled again the same way, never processed again.</summary>
    public bool Settled => State is "completed" or "dead-lettered";
}

/// <summary>
/// The store's record of broker messages, in the same messages table as the embedded queue (messages.transport names
/// the broker): their state, delivery counts and attempts, what they wrote, the OperationOutcome of a dead letter. It
/// gives every message a sequence of its own (the patient's results are kept under it, so a redelivery replaces
/// them), makes GET /messages/{id} answer for broker messages, and turns a redelivery of a message that completed
/// into an acknowledgement instead of a second assessment. A broker's settlement comes after the ledger's commit is
/// flushed: once the broker has forgotten a message, the store has what it brought.
/// </summary>
public sealed class BrokerLedger(Database database, TimeProvider clock)
{
    /// <summary>
    /// The ledger id of a bundle: a digest of feed and body (128 bits, hex), so that the same bundle published twice,
    /// over HTTP or straight onto the queue, is one message. It carries nothing of the bundle's content.
    /// </summary>
    public static string DigestId(string feed, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(feed + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    /// <summary>The intake put a message on the broker (confirmed): queued, unless a delivery got there first.</summary>
    public Task RecordQueuedAsync(OutgoingMessage message, string transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = Now();
        return database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at, transport)
                VALUES ($id, $feed, $correlation, $now, 'queued', $now, $transport)
                ON CONFLICT (id) DO NOTHING
                """);
            command.Parameters.AddWithValue("$id", message.Id);
            command.Parameters.AddWithValue("$feed", message.Feed);
            command.Parameters.AddWithValue("$correlation", message.CorrelationId);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$transport", transport);
            command.ExecuteNonQuery();
        }, Durability.Ordered, cancellationToken);
    }

    /// <summary>
    /// Deliveries taken from the broker, in one commit: each message's row is made or updated (processing, this
    /// delivery's token, one more delivery and attempt), unless it is completed or dead-lettered already.
    /// </summary>
    public Task<IReadOnlyList<LedgerEntry>> BeginAsync(IReadOnlyList<Arrival> arrivals, string transport, CancellationToken cancellationToken)
    {
        var now = Now();
        return database.WriteAsync((connection, transaction) =>
        {
            var entries = new List<LedgerEntry>(arrivals.Count);
            foreach (var arrival in arrivals)
            {
                var command = Database.Prepared(connection, transaction, """
                    INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at, transport, lock_token, delivery_count, attempts)
                    VALUES ($id, $feed, $correlation, $now, 'processing', $now, $transport, $token, 1, 1)
                    ON CONFLICT (id) DO UPDATE SET
                        lock_token = CASE WHEN state IN ('completed', 'dead-lettered') THEN lock_token ELSE excluded.lock_token END,
                        delivery_count = CASE WHEN state IN ('completed', 'dead-lettered') THEN delivery_count ELSE delivery_count + 1 END,
                        attempts = CASE WHEN state IN ('completed', 'dead-lettered') THEN attempts ELSE attempts + 1 END,
                        transport = excluded.transport,
                        state = CASE WHEN state IN ('completed', 'dead-lettered') THEN state ELSE 'processing' END
                    RETURNING sequence, feed, correlation_id, delivery_count, attempts, state, outcome
                    """);
                command.Parameters.AddWithValue("$id", arrival.Id);
                command.Parameters.AddWithValue("$feed", arrival.Feed);
                command.Parameters.AddWithValue("$correlation", arrival.CorrelationId);
                command.Parameters.AddWithValue("$now", now);
                command.Parameters.AddWithValue("$transport", transport);
                command.Parameters.AddWithValue("$token", arrival.LockToken);
                using var reader = command.ExecuteReader();
                reader.Read();
                var message = new QueueMessage(arrival.Id, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), arrival.LockToken);
                entries.Add(new LedgerEntry(message, reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return (IReadOnlyList<LedgerEntry>)entries;
        }, Durability.Ordered, cancellationToken);
    }

    /// <summary>
    /// A delivery refused before it could be read (its content type, its feed): dead-lettered at once with its
    /// OperationOutcome and body, flushed before the broker is told.
    /// </summary>
    public Task RefuseAsync(Arrival arrival, string transport, string outcomeJson, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arrival);
        var now = Now();
        return database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at, transport, delivery_count, attempts, completed_at, outcome)
                VALUES ($id, $feed, $correlation, $now, 'dead-lettered', $now, $transport, 1, 1, $now, $outcome)
                ON CONFLICT (id) DO UPDATE SET state = 'dead-lettered', completed_at = $now, outcome = $outcome, lock_token = NULL
                """);
            command.Parameters.AddWithValue("$id", arrival.Id);
            command.Parameters.AddWithValue("$feed", arrival.Feed);
            command.Parameters.AddWithValue("$correlation", arrival.CorrelationId);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$transport", transport);
            command.Parameters.AddWithValue("$outcome", outcomeJson);
            command.ExecuteNonQuery();
            KeepBody(connection, transaction, arrival.Id, body);
        }, Durability.Flushed, cancellationToken);
    }

    /// <summary>Completed, with the patient's state recorded in the same commit; flushed, since the broker forgets the message next.</summary>
    public Task<bool> CompleteAsync(QueueMessage message, IReadOnlyList<string> written, StoreWork record, CancellationToken cancellationToken) =>
        Settle(message, "state = 'completed', completed_at = $now, written = $written, lock_token = NULL, locked_until = NULL, last_issue = NULL",
            record, Durability.Flushed, cancellationToken, ("$now", Now()), ("$written", System.Text.Json.JsonSerializer.Serialize(written, MessageJson.Default.IReadOnlyListString)));

    /// <summary>A transient failure: queued again until <paramref name="due"/> (the broker holds the copy); not a delivery.</summary>
    public Task<bool> RescheduleAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken) =>
        Settle(message, "state = 'queued', due_at = $due, lock_token = NULL, locked_until = NULL, delivery_count = delivery_count - 1, last_issue = $issue",
            null, Durability.Ordered, cancellationToken, ("$due", due.ToUnixTimeMilliseconds()), ("$issue", issueCode));

    /// <summary>An unexpected error: queued again; the delivery counts.</summary>
    public Task<bool> AbandonAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken) =>
        Settle(message, "state = 'queued', due_at = $due, lock_token = NULL, locked_until = NULL, last_issue = $issue",
            null, Durability.Ordered, cancellationToken, ("$due", due.ToUnixTimeMilliseconds()), ("$issue", issueCode));

    /// <summary>Dead-lettered with its OperationOutcome; the body is kept so that the message can be resubmitted. Flushed.</summary>
    public Task<bool> DeadLetterAsync(QueueMessage message, string outcomeJson, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Settle(message, "state = 'dead-lettered', completed_at = $now, outcome = $outcome, lock_token = NULL, locked_until = NULL",
            (connection, transaction) => KeepBody(connection, transaction, message.Id, body), Durability.Flushed, cancellationToken, ("$now", Now()), ("$outcome", outcomeJson));
    }

    /// <summary>The feed, correlation id and kept body of a dead-lettered message; null when it is not dead-lettered or has no body.</summary>
    public (string Feed, string CorrelationId, byte[] Body)? DeadLettered(string id)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT m.feed, m.correlation_id, b.body FROM messages m JOIN message_bodies b ON b.id = m.id
             WHERE m.id = $id AND m.state = 'dead-lettered'
            """;
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)) : null;
    }

    /// <summary>A dead-lettered message put back on <paramref name="transport"/>'s queue: queued, its delivery count at zero. Flushed.</summary>
    public Task<bool> ResubmittedAsync(string id, string transport, CancellationToken cancellationToken)
    {
        var now = Now();
        return database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                UPDATE messages
                   SET state = 'queued', due_at = $now, delivery_count = 0, completed_at = NULL, outcome = NULL, written = NULL,
                       last_issue = 'resubmitted', transport = $transport, lock_token = NULL
                 WHERE id = $id AND state = 'dead-lettered'
                """);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$transport", transport);
            return command.ExecuteNonQuery() == 1;
        }, Durability.Flushed, cancellationToken);
    }

    private static void KeepBody(SqliteConnection connection, SqliteTransaction transaction, string id, byte[] body)
    {
        var command = Database.Prepared(connection, transaction, "INSERT INTO message_bodies (id, body) VALUES ($id, $body) ON CONFLICT (id) DO NOTHING");
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
    }

    /// <summary>Settles only while this delivery's token is the message's: a later delivery owns it otherwise.</summary>
    private Task<bool> Settle(QueueMessage message, string assignments, StoreWork? alongside, Durability durability, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        SqliteTransport.SettleLocked(database, message, assignments, alongside, durability, cancellationToken, parameters);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
