using Azure.Messaging.ServiceBus;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>
/// A Service Bus queue in memory, behind the SDK's own types: <see cref="ServiceBusClient"/>, <see cref="ServiceBusSender"/>,
/// <see cref="ServiceBusReceiver"/> and <see cref="ServiceBusSessionReceiver"/> subclassed through their protected
/// constructors (they exist for this), messages made by <see cref="ServiceBusModelFactory"/>. It honours what the
/// adapter relies on: peek-lock with a lock that expires (the message is delivered again, its delivery count one
/// higher), settlement only under the current lock, MaxDeliveryCount (then the dead-letter queue), scheduled messages,
/// duplicate detection on MessageId, and sessions (one receiver per session, in order, a session lock that expires).
/// What it cannot show: the AMQP link, the service's sign-in, throttling and the real timings.
/// </summary>
public sealed class InMemoryServiceBus(TimeSpan lockDuration, int maxDeliveryCount = 10)
{
    private readonly TimeSpan lockTime = lockDuration;

    private readonly Lock gate = new();
    private readonly List<Entry> active = [];
    private readonly HashSet<string> seenIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Guid Owner, DateTimeOffset Until)> sessionLocks = new(StringComparer.Ordinal);
    private long sequence;

    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>Messages duplicate detection dropped.</summary>
    public int Dropped { get; private set; }

    public ServiceBusClient Client() => new FakeClient(this);

    /// <summary>Lets every lock and session lock expire now, as time passing would.</summary>
    public void ExpireLocks()
    {
        lock (gate)
        {
            foreach (var entry in active.Where(e => e.LockToken is not null))
            {
                entry.LockedUntil = Now;
            }

            foreach (var session in sessionLocks.Keys.ToList())
            {
                sessionLocks[session] = (sessionLocks[session].Owner, Now);
            }
        }
    }

    /// <summary>Until when the message's current lock holds (its session's, with sessions).</summary>
    public DateTimeOffset LockedUntil(string messageId)
    {
        lock (gate)
        {
            var entry = active.Single(e => e.Message.MessageId == messageId);
            return entry.Message.SessionId is { } session && sessionLocks.TryGetValue(session, out var held) ? held.Until : entry.LockedUntil;
        }
    }

    public sealed record DeadLetter(string MessageId, string? Reason, string? Description, IReadOnlyDictionary<string, object> Properties);

    private sealed class Entry
    {
        public required ServiceBusMessage Message { get; init; }

        public required long Sequence { get; init; }

        public DateTimeOffset VisibleAt { get; set; }

        public int DeliveryCount { get; set; }

        public Guid? LockToken { get; set; }

        public DateTimeOffset LockedUntil { get; set; }
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private void Add(ServiceBusMessage message, DateTimeOffset visibleAt)
    {
        lock (gate)
        {
            if (message.MessageId is { } id && !seenIds.Add(id))
            {
                Dropped++;
                return;
            }

            active.Add(new Entry { Message = message, Sequence = ++sequence, VisibleAt = visibleAt });
        }
    }

    /// <summary>Whether an entry may be delivered now: visible, not under a live lock; a lock that expired counts a delivery, up to the limit.</summary>
    private bool Available(Entry entry)
    {
        if (entry.VisibleAt > Now || (entry.LockToken is not null && entry.LockedUntil > Now))
        {
            return false;
        }

        if (entry.LockToken is not null && entry.DeliveryCount >= maxDeliveryCount)
        {
            MoveToDeadLetter(entry, "MaxDeliveryCountExceeded", "The message was delivered too many times.", null);
            return false;
        }

        return true;
    }

    private static ServiceBusReceivedMessage Lock(Entry entry, DateTimeOffset until)
    {
        entry.DeliveryCount++;
        entry.LockToken = Guid.NewGuid();
        entry.LockedUntil = until;
        return ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: entry.Message.Body,
            messageId: entry.Message.MessageId,
            sessionId: entry.Message.SessionId,
            correlationId: entry.Message.CorrelationId,
            contentType: entry.Message.ContentType,
            properties: new Dictionary<string, object>(entry.Message.ApplicationProperties),
            lockTokenGuid: entry.LockToken.Value,
            deliveryCount: entry.DeliveryCount,
            lockedUntil: until,
            sequenceNumber: entry.Sequence);
    }

    private List<ServiceBusReceivedMessage> Receive(int max, string? session, Guid sessionOwner)
    {
        lock (gate)
        {
            if (session is not null && !OwnsSession(session, sessionOwner))
            {
                throw new ServiceBusException("The session lock was lost.", ServiceBusFailureReason.SessionLockLost);
            }

            var until = session is null ? Now + lockTime : sessionLocks[session].Until;
            var candidates = active.Where(e => e.Message.SessionId == session).OrderBy(e => e.Sequence).ToList();
            var taken = new List<ServiceBusReceivedMessage>();
            foreach (var entry in candidates)
            {
                if (taken.Count == max)
                {
                    break;
                }

                if (session is not null && entry.LockToken is not null && entry.LockedUntil > Now && entry.VisibleAt <= Now)
                {
                    // Within a session, messages come in order: one still locked holds back the rest.
                    continue;
                }

                if (Available(entry))
                {
                    taken.Add(Lock(entry, until));
                }
            }

            return taken;
        }
    }

    private bool OwnsSession(string session, Guid owner) =>
        sessionLocks.TryGetValue(session, out var held) && held.Owner == owner && held.Until > Now;

    private string? AcceptSession(Guid owner)
    {
        lock (gate)
        {
            var session = active
                .Where(e => e.Message.SessionId is not null && e.VisibleAt <= Now && (e.LockToken is null || e.LockedUntil <= Now))
                .Where(e => !sessionLocks.TryGetValue(e.Message.SessionId!, out var held) || held.Until <= Now)
                .OrderBy(e => e.Sequence)
                .Select(e => e.Message.SessionId)
                .FirstOrDefault();
            if (session is not null)
            {
                sessionLocks[session] = (owner, Now + lockTime);
                foreach (var entry in active.Where(e => e.Message.SessionId == session && e.LockToken is not null && e.LockedUntil > Now))
                {
                    // The session's earlier owner lost it: its locks go with it.
                    entry.LockedUntil = Now;
                }
            }

            return session;
        }
    }

    private void ReleaseSession(string session, Guid owner)
    {
        lock (gate)
        {
            if (OwnsSession(session, owner))
            {
                sessionLocks.Remove(session);
            }
        }
    }

    private void RenewSession(string session, Guid owner)
    {
        lock (gate)
        {
            if (!OwnsSession(session, owner))
            {
                throw new ServiceBusException("The session lock was lost.", ServiceBusFailureReason.SessionLockLost);
            }

            var until = Now + lockTime;
            sessionLocks[session] = (owner, until);
            foreach (var entry in active.Where(e => e.Message.SessionId == session && e.LockToken is not null))
            {
                entry.LockedUntil = until;
            }
        }
    }

    /// <summary>The entry whose current, live lock this message carries; else the SDK's lock-lost error.</summary>
    private Entry Locked(ServiceBusReceivedMessage message, string? session, Guid sessionOwner)
    {
        if (session is not null && !OwnsSession(session, sessionOwner))
        {
            throw new ServiceBusException("The session lock was lost.", ServiceBusFailureReason.SessionLockLost);
        }

        return active.SingleOrDefault(e => e.LockToken?.ToString() == message.LockToken && e.LockedUntil > Now)
            ?? throw new ServiceBusException("The lock supplied is invalid.", ServiceBusFailureReason.MessageLockLost);
    }

    private void Settle(ServiceBusReceivedMessage message, string? session, Guid owner, Action<Entry> settle)
    {
        lock (gate)
        {
            settle(Locked(message, session, owner));
        }
    }

    private void MoveToDeadLetter(Entry entry, string? reason, string? description, IDictionary<string, object>? properties)
    {
        active.Remove(entry);
        var all = new Dictionary<string, object>(entry.Message.ApplicationProperties);
        foreach (var (key, value) in properties ?? new Dictionary<string, object>())
        {
            all[key] = value;
        }

        DeadLetters.Add(new DeadLetter(entry.Message.MessageId, reason, description, all));
    }

    private sealed class FakeClient(InMemoryServiceBus bus) : ServiceBusClient
    {
        public override ServiceBusSender CreateSender(string queueOrTopicName) => new FakeSender(bus);

        public override ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options) => new FakeReceiver(bus, null, Guid.Empty);

        public override Task<ServiceBusSessionReceiver> AcceptNextSessionAsync(string queueName, ServiceBusSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
        {
            var owner = Guid.NewGuid();
            return bus.AcceptSession(owner) is { } session
                ? Task.FromResult<ServiceBusSessionReceiver>(new FakeSessionReceiver(bus, session, owner))
                : Task.FromException<ServiceBusSessionReceiver>(new ServiceBusException("No session available.", ServiceBusFailureReason.ServiceTimeout));
        }

#pragma warning disable CA2215 // The base closes an AMQP link, which an instance made by the mocking constructor does not have.
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215
    }

    private sealed class FakeSender(InMemoryServiceBus bus) : ServiceBusSender
    {
        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            bus.Add(message, Now);
            return Task.CompletedTask;
        }

        public override Task<long> ScheduleMessageAsync(ServiceBusMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
        {
            bus.Add(message, scheduledEnqueueTime);
            return Task.FromResult(0L);
        }

#pragma warning disable CA2215 // The base closes an AMQP link, which an instance made by the mocking constructor does not have.
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215
    }

    private sealed class FakeReceiver(InMemoryServiceBus bus, string? session, Guid owner) : ServiceBusReceiver
    {
        public override async Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
        {
            var deadline = Now + (maxWaitTime ?? TimeSpan.FromSeconds(1));
            while (true)
            {
                var received = bus.Receive(maxMessages, session, owner);
                if (received.Count > 0 || Now >= deadline)
                {
                    return received;
                }

                await Task.Delay(20, cancellationToken);
            }
        }

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            bus.Settle(message, session, owner, entry => bus.active.Remove(entry));
            return Task.CompletedTask;
        }

        public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
        {
            bus.Settle(message, session, owner, entry => entry.LockedUntil = Now);
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            bus.Settle(message, session, owner, entry => bus.MoveToDeadLetter(entry, deadLetterReason, deadLetterErrorDescription, propertiesToModify));
            return Task.CompletedTask;
        }

        public override Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            bus.Settle(message, session, owner, entry => entry.LockedUntil = Now + bus.lockTime);
            return Task.CompletedTask;
        }

#pragma warning disable CA2215 // The base closes an AMQP link, which an instance made by the mocking constructor does not have.
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
#pragma warning restore CA2215
    }

    private sealed class FakeSessionReceiver(InMemoryServiceBus bus, string session, Guid owner) : ServiceBusSessionReceiver
    {
        private readonly FakeReceiver inner = new(bus, session, owner);

        public override string SessionId => session;

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default) =>
            inner.ReceiveMessagesAsync(maxMessages, maxWaitTime, cancellationToken);

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) => inner.CompleteMessageAsync(message, cancellationToken);

        public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
            inner.AbandonMessageAsync(message, propertiesToModify, cancellationToken);

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
            inner.DeadLetterMessageAsync(message, propertiesToModify, deadLetterReason, deadLetterErrorDescription, cancellationToken);

        public override Task RenewSessionLockAsync(CancellationToken cancellationToken = default)
        {
            bus.RenewSession(session, owner);
            return Task.CompletedTask;
        }

#pragma warning disable CA2215 // The base closes an AMQP link, which an instance made by the mocking constructor does not have.
        public override ValueTask DisposeAsync()
#pragma warning restore CA2215
        {
            bus.ReleaseSession(session, owner);
            return ValueTask.CompletedTask;
        }
    }
}
