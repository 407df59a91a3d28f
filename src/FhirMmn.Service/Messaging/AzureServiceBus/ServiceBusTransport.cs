using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using FhirMmn.Fhir.Model;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Messaging.AzureServiceBus;

/// <summary>
/// Azure Service Bus behind the queue seam, with the official SDK. Peek-lock and explicit settlement: complete after
/// the ledger's commit is flushed; a transient failure schedules a copy (ScheduleMessageAsync, due after Retry-After
/// or the backoff) and then completes the original, so an outage spends no delivery count; an unexpected error
/// abandons (the queue's MaxDeliveryCount catches crash loops); a refusal dead-letters with a reason code and a
/// description that carry no patient data, the OperationOutcome in the fhirmmn-outcome property. The lock is renewed
/// while a message is processed (the consumer's timer). MessageId is the digest of feed and bundle, so the queue's
/// duplicate detection drops a resend; the copies the service schedules carry their own MessageId and the ledger
/// id in fhirmmn-message-id.
/// <para>
/// With sessions (Messaging:AzureServiceBus:RequiresSession) the intake sets SessionId from feed and patient (a
/// digest); the service holds up to FhirMmn:Concurrency sessions, and takes one message of a session at a time, so
/// one patient's bundles are processed in order by one worker.
/// </para>
/// </summary>
public sealed partial class ServiceBusTransport : IMessageTransport, IAsyncDisposable
{
    public const string TransportName = "azure-service-bus";

    private static readonly TimeSpan ReceiveWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SessionPeek = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AcceptWait = TimeSpan.FromMilliseconds(500);

    private readonly ServiceBusClient client;
    private readonly AzureServiceBusOptions settings;
    private readonly FhirMmnOptions service;
    private readonly BrokerLedger ledger;
    private readonly TimeProvider clock;
    private readonly ILogger<ServiceBusTransport> logger;
    private readonly ServiceBusSender sender;
    private readonly ConcurrentDictionary<string, Delivery> held = new(StringComparer.Ordinal);
    private readonly List<Session> sessions = [];
    private readonly Lock sessionsLock = new();
    private ServiceBusReceiver? receiver;
    private long backoffUntil;

    public ServiceBusTransport(ServiceBusClient client, IOptions<AzureServiceBusOptions> settings, IOptions<FhirMmnOptions> service, BrokerLedger ledger, TimeProvider clock, ILogger<ServiceBusTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(service);
        this.client = client;
        this.settings = settings.Value;
        this.service = service.Value;
        this.ledger = ledger;
        this.clock = clock;
        this.logger = logger;
        sender = client.CreateSender(this.settings.QueueName);
    }

    public string Name => TransportName;

    /// <summary>The SessionId of a patient's bundles: a digest of feed and patient key, so no identifier travels in it.</summary>
    public static string SessionIdFor(string feed, string patientKey) => BrokerLedger.DigestId(feed, System.Text.Encoding.UTF8.GetBytes(patientKey));

    public string MessageIdFor(string feed, byte[] body) => BrokerLedger.DigestId(feed, body);

    public async Task EnqueueAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var outgoing = Outgoing(message.Id, message.Id, message.Feed, message.CorrelationId, message.Body);
        if (settings.RequiresSession)
        {
            outgoing.SessionId = SessionIdFor(message.Feed, message.PatientKey ?? message.Id);
        }

        await Broker("send", () => sender.SendMessageAsync(outgoing, cancellationToken)).ConfigureAwait(false);
        await ledger.RecordQueuedAsync(message, Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ResubmitAsync(string id, CancellationToken cancellationToken)
    {
        if (ledger.DeadLettered(id) is not { } kept)
        {
            return false;
        }

        var outgoing = Outgoing($"{id}-resubmit-{clock.GetUtcNow().ToUnixTimeMilliseconds()}", id, kept.Feed, kept.CorrelationId, kept.Body);
        if (settings.RequiresSession)
        {
            outgoing.SessionId = id;
        }

        await Broker("send", () => sender.SendMessageAsync(outgoing, cancellationToken)).ConfigureAwait(false);
        return await ledger.ResubmittedAsync(id, Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        List<Delivery> taken;
        try
        {
            taken = settings.RequiresSession ? await ReceiveFromSessionsAsync(max, cancellationToken).ConfigureAwait(false) : await ReceiveFromQueueAsync(max, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException)
        {
            Interlocked.Exchange(ref backoffUntil, Environment.TickCount64 + 1000);
            LogBrokerFault(logger, "receive", e.GetType().Name);
            throw new TransportUnavailableException("Service Bus is not reachable.", e);
        }

        var readable = new List<Delivery>(taken.Count);
        foreach (var delivery in taken)
        {
            if (BrokerEdge.Refusal(delivery.Message.ContentType, delivery.Feed, service.Feed, delivery.Arrival.CorrelationId) is { } refusal)
            {
                var outcome = FhirJson.Serialize(refusal);
                await ledger.RefuseAsync(delivery.Arrival, Name, outcome, delivery.Message.Body.ToArray(), cancellationToken).ConfigureAwait(false);
                await DeadLetterOnBrokerAsync(delivery, outcome, cancellationToken).ConfigureAwait(false);
                LogRefused(logger, delivery.Arrival.Id, BrokerEdge.Reason(outcome).Reason);
            }
            else
            {
                readable.Add(delivery);
            }
        }

        IReadOnlyList<LedgerEntry> entries;
        try
        {
            entries = await ledger.BeginAsync([.. readable.Select(d => d.Arrival)], Name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The store failed: released for another delivery a little later.
            Interlocked.Exchange(ref backoffUntil, Environment.TickCount64 + 1000);
            foreach (var delivery in readable)
            {
                await SettleAsync(delivery, r => r.AbandonMessageAsync(delivery.Message, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            }

            throw;
        }

        var messages = new List<QueueMessage>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, delivery) = (entries[i], readable[i]);
            if (entry.Settled)
            {
                LogRedeliveredSettled(logger, entry.Message.Id, entry.State);
                _ = entry.State == "dead-lettered"
                    ? await DeadLetterOnBrokerAsync(delivery, entry.Outcome ?? "{}", cancellationToken).ConfigureAwait(false)
                    : await SettleAsync(delivery, r => r.CompleteMessageAsync(delivery.Message, CancellationToken.None)).ConfigureAwait(false);
                continue;
            }

            held[delivery.Arrival.LockToken] = delivery;
            messages.Add(entry.Message);
        }

        return messages;
    }

    /// <summary>The receive itself waits for messages; after a failure the next one waits a second.</summary>
    public Task WaitForMessagesAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var backoff = Interlocked.Read(ref backoffUntil) - Environment.TickCount64;
        return backoff > 0 ? Task.Delay(TimeSpan.FromMilliseconds(Math.Min(backoff, timeout.TotalMilliseconds)), clock, cancellationToken) : Task.CompletedTask;
    }

    public Task<byte[]> ReadBodyAsync(QueueMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(Held(message)?.Message.Body.ToArray() ?? throw new InvalidOperationException("The delivery is no longer held."));

    public async Task<bool> RenewLockAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (Held(message) is not { } delivery)
        {
            return false;
        }

        return await SettleAsync(delivery, r => r is ServiceBusSessionReceiver session
            ? session.RenewSessionLockAsync(cancellationToken)
            : r.RenewMessageLockAsync(delivery.Message, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> CompleteAsync(QueueMessage message, IReadOnlyList<string> written, StoreWork record, CancellationToken cancellationToken)
    {
        var delivery = Release(message);
        var recorded = await ledger.CompleteAsync(message, written, record, cancellationToken).ConfigureAwait(false);
        return delivery is not null && recorded && await SettleAsync(delivery, r => r.CompleteMessageAsync(delivery.Message, CancellationToken.None)).ConfigureAwait(false);
    }

    public async Task<bool> RescheduleAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        // The copy has a MessageId of its own: duplicate detection would drop it under the original's.
        var copy = Outgoing($"{message.Id}-{message.Attempts}", message.Id, message.Feed, message.CorrelationId, delivery.Message.Body.ToArray());
        copy.SessionId = delivery.Message.SessionId;
        await Broker("schedule", () => sender.ScheduleMessageAsync(copy, due, cancellationToken)).ConfigureAwait(false);
        var recorded = await ledger.RescheduleAsync(message, due, issueCode, cancellationToken).ConfigureAwait(false);
        return await SettleAsync(delivery, r => r.CompleteMessageAsync(delivery.Message, CancellationToken.None)).ConfigureAwait(false) && recorded;
    }

    public async Task<bool> AbandonAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        var recorded = await ledger.AbandonAsync(message, due, issueCode, cancellationToken).ConfigureAwait(false);
        return await SettleAsync(delivery, r => r.AbandonMessageAsync(delivery.Message, cancellationToken: CancellationToken.None)).ConfigureAwait(false) && recorded;
    }

    public async Task<bool> DeadLetterAsync(QueueMessage message, string outcomeJson, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        var recorded = await ledger.DeadLetterAsync(message, outcomeJson, delivery.Message.Body.ToArray(), cancellationToken).ConfigureAwait(false);
        return await DeadLetterOnBrokerAsync(delivery, outcomeJson, cancellationToken).ConfigureAwait(false) && recorded;
    }

    public async ValueTask DisposeAsync()
    {
        List<Session> open;
        lock (sessionsLock)
        {
            open = [.. sessions];
            sessions.Clear();
        }

        foreach (var session in open)
        {
            await session.Receiver.DisposeAsync().ConfigureAwait(false);
        }

        if (receiver is not null)
        {
            await receiver.DisposeAsync().ConfigureAwait(false);
        }

        await sender.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<List<Delivery>> ReceiveFromQueueAsync(int max, CancellationToken cancellationToken)
    {
        receiver ??= client.CreateReceiver(settings.QueueName, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock });
        var received = await receiver.ReceiveMessagesAsync(max, ReceiveWait, cancellationToken).ConfigureAwait(false);
        return [.. received.Select(m => Delivery.From(m, receiver, null, service.Feed))];
    }

    /// <summary>
    /// One message at a time from each session held; a session with nothing more is released for others; new sessions
    /// are accepted while fewer than FhirMmn:Concurrency are held.
    /// </summary>
    private async Task<List<Delivery>> ReceiveFromSessionsAsync(int max, CancellationToken cancellationToken)
    {
        var taken = new List<Delivery>();
        List<Session> idle;
        lock (sessionsLock)
        {
            idle = [.. sessions.Where(s => s.InFlight is null)];
        }

        foreach (var session in idle.TakeWhile(_ => taken.Count < max))
        {
            IReadOnlyList<ServiceBusReceivedMessage> next;
            try
            {
                next = await session.Receiver.ReceiveMessagesAsync(1, SessionPeek, cancellationToken).ConfigureAwait(false);
            }
            catch (ServiceBusException e) when (e.Reason == ServiceBusFailureReason.SessionLockLost)
            {
                next = [];
            }

            if (next.Count == 0)
            {
                await CloseAsync(session).ConfigureAwait(false);
                continue;
            }

            taken.Add(session.Take(Delivery.From(next[0], session.Receiver, session, service.Feed)));
        }

        while (taken.Count < max && SessionCount() < service.Concurrency)
        {
            ServiceBusSessionReceiver accepted;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(AcceptWait);
            try
            {
                accepted = await client.AcceptNextSessionAsync(settings.QueueName, new ServiceBusSessionReceiverOptions { ReceiveMode = ServiceBusReceiveMode.PeekLock }, wait.Token)
                    .ConfigureAwait(false);
            }
            catch (ServiceBusException e) when (e.Reason == ServiceBusFailureReason.ServiceTimeout)
            {
                break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var first = await accepted.ReceiveMessagesAsync(1, SessionPeek, cancellationToken).ConfigureAwait(false);
            var session = new Session(accepted);
            if (first.Count == 0)
            {
                await accepted.DisposeAsync().ConfigureAwait(false);
                break;
            }

            lock (sessionsLock)
            {
                sessions.Add(session);
            }

            taken.Add(session.Take(Delivery.From(first[0], accepted, session, service.Feed)));
        }

        return taken;
    }

    private int SessionCount()
    {
        lock (sessionsLock)
        {
            return sessions.Count;
        }
    }

    private async Task CloseAsync(Session session)
    {
        lock (sessionsLock)
        {
            sessions.Remove(session);
        }

        try
        {
            await session.Receiver.DisposeAsync().ConfigureAwait(false);
        }
        catch (ServiceBusException e)
        {
            LogBrokerFault(logger, "close-session", e.GetType().Name);
        }
    }

    private static ServiceBusMessage Outgoing(string messageId, string ledgerId, string feed, string correlationId, byte[] body)
    {
        var message = new ServiceBusMessage(body)
        {
            MessageId = messageId,
            ContentType = "application/fhir+json",
            CorrelationId = correlationId,
        };
        message.ApplicationProperties[BrokerEdge.FeedProperty] = feed;
        message.ApplicationProperties[BrokerEdge.LedgerIdProperty] = ledgerId;
        return message;
    }

    private async Task<bool> DeadLetterOnBrokerAsync(Delivery delivery, string outcomeJson, CancellationToken cancellationToken)
    {
        var (reason, description) = BrokerEdge.Reason(outcomeJson);
        var properties = new Dictionary<string, object> { [BrokerEdge.OutcomeProperty] = BrokerEdge.Carried(outcomeJson, delivery.Arrival.CorrelationId) };
        return await SettleAsync(delivery, r => r.DeadLetterMessageAsync(delivery.Message, properties, reason, description, CancellationToken.None)).ConfigureAwait(false);
    }

    private Delivery? Held(QueueMessage message) => held.TryGetValue(message.LockToken, out var delivery) ? delivery : null;

    private Delivery? Release(QueueMessage message)
    {
        if (!held.TryRemove(message.LockToken, out var delivery))
        {
            return null;
        }

        delivery.Session?.Done();
        return delivery;
    }

    /// <summary>A settlement on the receiver that holds the lock; false when the lock (or the session's) is lost.</summary>
    private async Task<bool> SettleAsync(Delivery delivery, Func<ServiceBusReceiver, Task> settle)
    {
        try
        {
            await settle(delivery.Receiver).ConfigureAwait(false);
            return true;
        }
        catch (ServiceBusException e) when (e.Reason is ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.SessionLockLost or ServiceBusFailureReason.MessageNotFound)
        {
            LogLockLost(logger, delivery.Arrival.Id);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task Broker(string operation, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServiceBusException or UnauthorizedAccessException or Azure.Identity.AuthenticationFailedException or TimeoutException)
        {
            LogBrokerFault(logger, operation, e.GetType().Name);
            throw new TransportUnavailableException("Service Bus did not take the message.", e);
        }
    }

    /// <summary>A session held: its receiver, and the one message of it being processed.</summary>
    private sealed class Session(ServiceBusSessionReceiver receiver)
    {
        public ServiceBusSessionReceiver Receiver { get; } = receiver;

        public Delivery? InFlight { get; private set; }

        public Delivery Take(Delivery delivery) => InFlight = delivery;

        public void Done() => InFlight = null;
    }

    private sealed record Delivery(Arrival Arrival, ServiceBusReceivedMessage Message, string? Feed, ServiceBusReceiver Receiver, Session? Session)
    {
        public static Delivery From(ServiceBusReceivedMessage message, ServiceBusReceiver receiver, Session? session, string serviceFeed)
        {
            var feed = message.ApplicationProperties.TryGetValue(BrokerEdge.FeedProperty, out var f) ? f as string : null;
            var id = message.ApplicationProperties.TryGetValue(BrokerEdge.LedgerIdProperty, out var own) && own is string { Length: 32 } text && text.All(char.IsAsciiHexDigitLower)
                ? text
                : BrokerLedger.DigestId(feed ?? serviceFeed, message.Body.ToMemory().Span);
            var arrival = new Arrival(id, feed ?? serviceFeed, BrokerEdge.CorrelationOf(message.CorrelationId), Guid.NewGuid().ToString("N"));
            return new Delivery(arrival, message, feed, receiver, session);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service Bus {Operation} failed ({ExceptionType})")]
    private static partial void LogBrokerFault(ILogger logger, string operation, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: its lock was lost before it was settled; Service Bus delivers it again")]
    private static partial void LogLockLost(ILogger logger, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} redelivered after it was {State}; settled again, not processed again")]
    private static partial void LogRedeliveredSettled(ILogger logger, string messageId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} refused before reading ({IssueCode}); dead-lettered")]
    private static partial void LogRefused(ILogger logger, string messageId, string issueCode);
}
