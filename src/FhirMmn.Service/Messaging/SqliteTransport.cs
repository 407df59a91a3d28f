using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// The embedded durable queue: a table in the SQLite store. Enqueue returns once the message is committed and
/// flushed to disk (group commit, see <see cref="Database"/>). A receive locks messages with a token until a time; a consumer that dies
/// leaves its lock to expire and the message is delivered again, its delivery count one higher.
/// </summary>
public sealed class SqliteTransport(Database database, TimeProvider clock, IOptions<FhirMmnOptions> options) : IMessageTransport, IDisposable
{
    /// <summary>The value of messages.transport for this queue's own rows.</summary>
    public const string TransportName = "embedded";

    private readonly SemaphoreSlim signal = new(0, 1);

    public string Name => TransportName;

    public string MessageIdFor(string feed, byte[] body) => MessageIds.New();

    public Task EnqueueAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EnqueueAsync(message.Id, message.Feed, message.Body, message.CorrelationId, cancellationToken);
    }

    public async Task EnqueueAsync(string id, string feed, byte[] body, string correlationId, CancellationToken cancellationToken)
    {
        var now = Now();
        var trace = Telemetry.TraceParent();
        await database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                INSERT INTO message_bodies (id, body) VALUES ($id, $body);
                INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at, trace_parent)
                VALUES ($id, $feed, $correlation, $now, 'queued', $now, $trace);
                """);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$feed", feed);
            command.Parameters.AddWithValue("$body", body);
            command.Parameters.AddWithValue("$correlation", correlationId);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$trace", (object?)trace ?? DBNull.Value);
            command.ExecuteNonQuery();
        }, Durability.Flushed, cancellationToken).ConfigureAwait(false);
        Signal();
    }

    /// <summary>
    /// Locks up to <paramref name="max"/> messages that are due, earliest due first (arrival order for new ones),
    /// and any whose lock expired. The queued ones are read from the index in due order and the read stops at
    /// <paramref name="max"/>: a long backlog costs a receive nothing (sorting all due messages by arrival took
    /// the writer milliseconds per receive with a few thousand waiting). Rows of a broker's ledger (another
    /// transport) are never taken: a queued one has no body here, and its broker delivers it. They are rare in this
    /// index (only left from a deployment that used a broker before), so the read still stops after a few rows.
    /// </summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int max, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var now = Now();
        var until = now + (long)options.Value.LockDuration.TotalMilliseconds;
        return await database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                UPDATE messages
                   SET state = 'processing', lock_token = $token, locked_until = $until,
                       delivery_count = delivery_count + 1, attempts = attempts + 1
                 WHERE sequence IN (
                       SELECT sequence FROM (
                              SELECT sequence, due_at FROM messages WHERE state = 'processing' AND locked_until < $now
                              UNION ALL
                              SELECT * FROM (
                                     SELECT sequence, due_at FROM messages WHERE state = 'queued' AND due_at <= $now AND transport = 'embedded'
                                      ORDER BY due_at, sequence LIMIT $max))
                        ORDER BY due_at, sequence
                        LIMIT $max)
                RETURNING id, sequence, feed, correlation_id, delivery_count, attempts, trace_parent
                """);
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$until", until);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var messages = new List<QueueMessage>();
            while (reader.Read())
            {
                messages.Add(new QueueMessage(
                    reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5), token)
                {
                    TraceParent = reader.IsDBNull(6) ? null : reader.GetString(6),
                });
            }

            return (IReadOnlyList<QueueMessage>)messages.OrderBy(m => m.Sequence).ToList();
        }, Durability.Ordered, cancellationToken).ConfigureAwait(false);
    }

    public Task<byte[]> ReadBodyAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM message_bodies WHERE id = $id";
        command.Parameters.AddWithValue("$id", message.Id);
        return Task.FromResult(command.ExecuteScalar() as byte[] ?? throw new InvalidOperationException("A message without its body."));
    }

    public async Task WaitForMessagesAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> RenewLockAsync(QueueMessage message, CancellationToken cancellationToken) =>
        Settle(message, "locked_until = $until", cancellationToken, ("$until", Now() + (long)options.Value.LockDuration.TotalMilliseconds));

    public Task<bool> CompleteAsync(QueueMessage message, IReadOnlyList<string> written, StoreWork record, CancellationToken cancellationToken) =>
        Settle(message, "state = 'completed', completed_at = $now, written = $written, lock_token = NULL, locked_until = NULL, last_issue = NULL",
            record, cancellationToken, ("$now", Now()), ("$written", System.Text.Json.JsonSerializer.Serialize(written, MessageJson.Default.IReadOnlyListString)));

    public Task<bool> RescheduleAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken) =>
        Settle(message, "state = 'queued', due_at = $due, lock_token = NULL, locked_until = NULL, delivery_count = delivery_count - 1, last_issue = $issue",
            cancellationToken, ("$due", due.ToUnixTimeMilliseconds()), ("$issue", issueCode));

    public Task<bool> AbandonAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken) =>
        Settle(message, "state = 'queued', due_at = $due, lock_token = NULL, locked_until = NULL, last_issue = $issue",
            cancellationToken, ("$due", due.ToUnixTimeMilliseconds()), ("$issue", issueCode));

    public Task<bool> DeadLetterAsync(QueueMessage message, string outcomeJson, CancellationToken cancellationToken) =>
        Settle(message, "state = 'dead-lettered', completed_at = $now, outcome = $outcome, lock_token = NULL, locked_until = NULL",
            cancellationToken, ("$now", Now()), ("$outcome", outcomeJson));

    /// <summary>
    /// Puts a dead-lettered message back in the queue, due now, with its delivery count at zero (the delivery limit
    /// starts afresh) and its attempts kept (so it is not taken for a first attempt: its write-back reads the target
    /// first). Flushed before it returns, like an intake. False when the message is not dead-lettered (or unknown).
    /// </summary>
    public async Task<bool> ResubmitAsync(string id, CancellationToken cancellationToken)
    {
        var now = Now();
        var resubmitted = await database.WriteAsync((connection, transaction) =>
        {
            var command = Database.Prepared(connection, transaction, """
                UPDATE messages
                   SET state = 'queued', due_at = $now, delivery_count = 0, completed_at = NULL, outcome = NULL, written = NULL,
                       last_issue = 'resubmitted'
                 WHERE id = $id AND state = 'dead-lettered' AND transport = 'embedded'
                """);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", now);
            return command.ExecuteNonQuery() == 1;
        }, Durability.Flushed, cancellationToken).ConfigureAwait(false);
        if (resubmitted)
        {
            Signal();
        }

        return resubmitted;
    }

    /// <summary>
    /// Deletes up to <paramref name="max"/> messages that completed before <paramref name="completedBefore"/>, their
    /// bodies with them, oldest first; returns how many. Dead-lettered and unsettled messages are never deleted.
    /// Sequences are never reused (AUTOINCREMENT), so the results kept under a deleted message's sequence stay in order.
    /// </summary>
    public Task<int> PurgeCompletedAsync(DateTimeOffset completedBefore, int max, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            // The ready index (state, due_at, sequence) gives the oldest completed messages first, so the scan stops at max.
            var bodies = Database.Prepared(connection, transaction, """
                DELETE FROM message_bodies WHERE id IN (
                       SELECT id FROM messages WHERE state = 'completed' AND completed_at < $before ORDER BY due_at LIMIT $max)
                """);
            bodies.Parameters.AddWithValue("$before", completedBefore.ToUnixTimeMilliseconds());
            bodies.Parameters.AddWithValue("$max", max);
            bodies.ExecuteNonQuery();

            // Their history (docs/operations.md) goes with them.
            var history = Database.Prepared(connection, transaction, """
                DELETE FROM message_events WHERE message_id IN (
                       SELECT id FROM messages WHERE state = 'completed' AND completed_at < $before ORDER BY due_at LIMIT $max)
                """);
            history.Parameters.AddWithValue("$before", completedBefore.ToUnixTimeMilliseconds());
            history.Parameters.AddWithValue("$max", max);
            history.ExecuteNonQuery();
            var rows = Database.Prepared(connection, transaction, """
                DELETE FROM messages WHERE sequence IN (
                       SELECT sequence FROM messages WHERE state = 'completed' AND completed_at < $before ORDER BY due_at LIMIT $max)
                """);
            rows.Parameters.AddWithValue("$before", completedBefore.ToUnixTimeMilliseconds());
            rows.Parameters.AddWithValue("$max", max);
            return rows.ExecuteNonQuery();
        }, Durability.Ordered, cancellationToken);

    /// <summary>
    /// Settles only while the lock is still ours; a lost lock means another delivery owns the message now.
    /// Settlements are ordered, not flushed: one lost to a power cut means one more, idempotent, delivery.
    /// </summary>
    private Task<bool> Settle(QueueMessage message, string assignments, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        Settle(message, assignments, null, cancellationToken, parameters);

    private Task<bool> Settle(QueueMessage message, string assignments, StoreWork? alongside, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        SettleLocked(database, message, assignments, alongside, Durability.Ordered, cancellationToken, parameters);

    /// <summary>
    /// Updates the message's row with <paramref name="assignments"/> (and runs <paramref name="alongside"/> in the same
    /// commit) only while this delivery's lock token is the message's: a later delivery owns it otherwise. The
    /// embedded queue and the broker ledger settle through this one statement.
    /// </summary>
    internal static Task<bool> SettleLocked(
        Database database, QueueMessage message, string assignments, StoreWork? alongside, Durability durability,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        database.WriteAsync((connection, transaction) =>
        {
            alongside?.Invoke(connection, transaction);
            var command = Database.Prepared(connection, transaction, $"UPDATE messages SET {assignments} WHERE id = $id AND lock_token = $token");
            command.Parameters.AddWithValue("$id", message.Id);
            command.Parameters.AddWithValue("$token", message.LockToken);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            return command.ExecuteNonQuery() == 1;
        }, durability, cancellationToken);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public void Dispose() => signal.Dispose();

    private void Signal()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }
}
