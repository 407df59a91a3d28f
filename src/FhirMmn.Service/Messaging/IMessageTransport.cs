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
/// A bundle the intake puts on the queue. <paramref name="Id"/> comes from <see cref="IMessageTransport.MessageIdFor"/>;
/// <see cref="PatientKey"/> (the feed's patient key, never sent as it is) groups one patient's bundles where the
/// transport orders by group (Service Bus sessions).
/// </summary>
public sealed record OutgoingMessage(string Id, string Feed, byte[] Body, string CorrelationId)
{
    public string? PatientKey { get; init; }
}

/// <summary>
/// The transport cannot take or confirm a message now (a broker that is down, a connection being recovered, a
/// publish not confirmed in time). The intake answers 503 with Retry-After; sending again is safe.
/// </summary>
public sealed class TransportUnavailableException : Exception
{
    public TransportUnavailableException()
        : base("The message transport is not available.")
    {
    }

    public TransportUnavailableException(string message)
        : base(message)
    {
    }

    public TransportUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The messaging seam (peek-lock, settled explicitly). The embedded SQLite queue (Messaging/Embedded), RabbitMQ
/// (Messaging/RabbitMq) and Azure Service Bus (Messaging/AzureServiceBus) implement it; the conformance suite
/// (tests, Messaging) holds each of them to the same behaviour.
/// </summary>
public interface IMessageTransport
{
    /// <summary>The transport's name in the store's message ledger: embedded, rabbitmq or azure-service-bus.</summary>
    string Name { get; }

    /// <summary>
    /// The id the intake gives a bundle: time-ordered and new for the embedded queue; a digest of feed and bundle for
    /// a broker, so that a hospital's resend is one message (Service Bus drops it by duplicate detection).
    /// </summary>
    string MessageIdFor(string feed, byte[] body);

    /// <summary>Puts a message on the queue; completes once it is durable there (committed, or confirmed by the broker).</summary>
    /// <exception cref="TransportUnavailableException">The transport could not take or confirm it.</exception>
    Task EnqueueAsync(OutgoingMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a dead-lettered message back in the queue, its delivery count at zero. False when the message is not
    /// dead-lettered (or unknown).
    /// </summary>
    Task<bool> ResubmitAsync(string id, CancellationToken cancellationToken);

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
