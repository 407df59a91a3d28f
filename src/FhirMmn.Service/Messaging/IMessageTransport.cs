using FhirMmn.Service.Storage;

namespace FhirMmn.Service.Messaging;

public static class MessageIds
{
    /// <summary>A new message id: time-ordered, opaque.</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>When a message of <see cref="New"/> was made (a version 7 id begins with its Unix milliseconds); null for another id.</summary>
    public static DateTimeOffset? CreatedAt(string id) =>
        id is { Length: 32 } && id[12] == '7' && long.TryParse(id.AsSpan(0, 12), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}

/// <summary>A message taken from a queue under a lock: it stays invisible to others until settled or the lock expires.</summary>
/// <summary>
/// <paramref name="DeliveryCount"/> counts deliveries that ended in a crash or an unexpected error (and this one);
/// <paramref name="Attempts"/> counts every processing attempt, transient failures included (it sets the backoff).
/// The body is fetched when it is needed (<see cref="IMessageTransport.ReadBodyAsync"/>).
/// </summary>
public sealed record QueueMessage(string Id, long Sequence, string Feed, string CorrelationId, int DeliveryCount, int Attempts, string LockToken)
{
    /// <summary>The W3C traceparent of the intake that stored the message (a message property), so that its processing joins that trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>
/// The messaging seam (peek-lock, settled explicitly). The embedded SQLite queue implements it; a
/// Service Bus or RabbitMQ adapter implements the same five verbs.
/// </summary>
public interface IMessageTransport
{
    /// <summary>Stores a message under <paramref name="id"/> (see <see cref="MessageIds"/>); completes once it is committed.</summary>
    Task EnqueueAsync(string id, string feed, byte[] body, string correlationId, CancellationToken cancellationToken);

    /// <summary>The bundle a message carries.</summary>
    Task<byte[]> ReadBodyAsync(QueueMessage message, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> messages that are due, locking each.</summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int max, CancellationToken cancellationToken);

    /// <summary>Waits until a message may be ready (one was enqueued), or the timeout passes.</summary>
    Task WaitForMessagesAsync(TimeSpan timeout, CancellationToken cancellationToken);

    Task<bool> RenewLockAsync(QueueMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Done: the write-back succeeded (or there was nothing to write). <paramref name="record"/> stores what the
    /// service keeps of it; the embedded transport runs it in the same commit as the completion.
    /// </summary>
    Task<bool> CompleteAsync(QueueMessage message, IReadOnlyList<string> written, StoreWork record, CancellationToken cancellationToken);

    /// <summary>A transient failure: try again at <paramref name="due"/>; this delivery does not count against the limit.</summary>
    Task<bool> RescheduleAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken);

    /// <summary>An unexpected error: release the message; this delivery counts against the limit.</summary>
    Task<bool> AbandonAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken);

    /// <summary>Permanently refused: kept with its OperationOutcome, never delivered again.</summary>
    Task<bool> DeadLetterAsync(QueueMessage message, string outcomeJson, CancellationToken cancellationToken);
}
