using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using FhirMmn.Fhir.Model;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FhirMmn.Service.Messaging.RabbitMq;

/// <summary>
/// RabbitMQ behind the queue seam. The topology, declared at connect (durable, survives broker restarts):
/// <list type="bullet">
/// <item>the work queue, a quorum queue with x-delivery-limit (a crash-loop backstop above FhirMmn:MaxDeliveries,
/// which the ledger counts) dead-lettering to the dead-letter exchange;</item>
/// <item>the dead-letter exchange and queue ({queue}.dead-letter), whose messages carry the reason in headers
/// (fhirmmn-reason, fhirmmn-description, fhirmmn-outcome);</item>
/// <item>one retry queue per rung of <see cref="RetryLadder"/> ({queue}.retry.{seconds}s), with that message TTL and
/// the work queue as its dead-letter target: a rescheduled copy waits there and comes back when due, as a new
/// message, so waiting spends no delivery.</item>
/// </list>
/// Every publish waits for the broker's confirm (the intake's 202 comes after it); acknowledgements are manual and
/// come after the ledger's commit is flushed; prefetch bounds what the broker hands out unacknowledged. The client
/// recovers the connection, channels, topology and consumer after a broker restart or a dropped connection; the
/// deliveries of the lost channel are redelivered by the broker, and are never acknowledged on the new one.
/// </summary>
public sealed partial class RabbitMqTransport : IMessageTransport, IAsyncDisposable
{
    public const string TransportName = "rabbitmq";

    /// <summary>Above FhirMmn:MaxDeliveries' highest value: the service's own limit, with its OperationOutcome, comes first.</summary>
    public const int BrokerDeliveryLimit = 102;

    /// <summary>The retry queues' delays: a copy waits in the shortest rung at least as long as the delay asked (the longest for longer).</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryLadder =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    private readonly RabbitMqOptions settings;
    private readonly FhirMmnOptions service;
    private readonly BrokerLedger ledger;
    private readonly TimeProvider clock;
    private readonly ILogger<RabbitMqTransport> logger;
    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly Channel<Delivery> arrivals = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Delivery> held = new(StringComparer.Ordinal);

    /// <summary>Deliveries the ledger could not take yet (the store failed): tried again first, still unacknowledged.</summary>
    private readonly List<Delivery> pending = [];
    private IConnection? connection;
    private IChannel? publisher;
    private IChannel? consumer;

    /// <summary>Raised when the consumer's channel goes down: a delivery of an earlier epoch is never acknowledged.</summary>
    private long epoch;
    private long backoffUntil;

    /// <summary>Between a lost connection and its recovery: nothing is opened anew meanwhile (the client recovers it all).</summary>
    private bool recovering;

    public RabbitMqTransport(IOptions<RabbitMqOptions> settings, IOptions<FhirMmnOptions> service, BrokerLedger ledger, TimeProvider clock, ILogger<RabbitMqTransport> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(service);
        this.settings = settings.Value;
        this.service = service.Value;
        this.ledger = ledger;
        this.clock = clock;
        this.logger = logger;
    }

    public string Name => TransportName;

    public string QueueName => settings.QueueName;

    public string DeadLetterQueueName => settings.QueueName + ".dead-letter";

    public static string RetryQueueName(string queue, TimeSpan rung) => string.Create(CultureInfo.InvariantCulture, $"{queue}.retry.{(long)rung.TotalSeconds}s");

    /// <summary>The rung a delay waits on: the shortest at least as long, else the longest.</summary>
    public static TimeSpan RungFor(TimeSpan delay) => RetryLadder.FirstOrDefault(r => r >= delay, RetryLadder[^1]);

    public string MessageIdFor(string feed, byte[] body) => BrokerLedger.DigestId(feed, body);

    public async Task EnqueueAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await PublishAsync(string.Empty, settings.QueueName, Properties(message.Id, message.Feed, message.CorrelationId, null), message.Body, cancellationToken).ConfigureAwait(false);
        await ledger.RecordQueuedAsync(message, Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ResubmitAsync(string id, CancellationToken cancellationToken)
    {
        if (ledger.DeadLettered(id) is not { } kept)
        {
            return false;
        }

        await PublishAsync(string.Empty, settings.QueueName, Properties(id, kept.Feed, kept.CorrelationId, null), kept.Body, cancellationToken).ConfigureAwait(false);
        return await ledger.ResubmittedAsync(id, Name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int max, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var taken = new List<Delivery>(max);
        taken.AddRange(pending.Take(max));
        pending.RemoveRange(0, taken.Count);
        while (taken.Count < max && arrivals.Reader.TryRead(out var delivery))
        {
            taken.Add(delivery);
        }

        if (taken.Count == 0)
        {
            return [];
        }

        var current = Interlocked.Read(ref epoch);
        taken.RemoveAll(d => d.Epoch != current);
        var readable = new List<Delivery>(taken.Count);
        foreach (var delivery in taken)
        {
            if (BrokerEdge.Refusal(delivery.ContentType, delivery.Feed, service.Feed, delivery.Arrival.CorrelationId) is { } refusal)
            {
                await RefuseAsync(delivery, FhirJson.Serialize(refusal), cancellationToken).ConfigureAwait(false);
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
            // Still unacknowledged: kept for the next receive, a second from now.
            pending.InsertRange(0, readable);
            Interlocked.Exchange(ref backoffUntil, Environment.TickCount64 + 1000);
            throw;
        }

        var messages = new List<QueueMessage>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, delivery) = (entries[i], readable[i]);
            if (entry.Settled)
            {
                // A redelivery of a message the ledger finished: settled again the same way, not processed again.
                LogRedeliveredSettled(logger, entry.Message.Id, entry.State);
                if (entry.State == "dead-lettered")
                {
                    await DeadLetterOnBrokerAsync(delivery, entry.Outcome ?? "{}", cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await AckAsync(delivery).ConfigureAwait(false);
                }

                continue;
            }

            held[delivery.Arrival.LockToken] = delivery;
            messages.Add(entry.Message);
        }

        return messages;
    }

    public async Task WaitForMessagesAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var backoff = Interlocked.Read(ref backoffUntil) - Environment.TickCount64;
        if (backoff > 0 || connection is null || consumer is null || consumer.IsClosed || Volatile.Read(ref recovering))
        {
            await Task.Delay(backoff > 0 ? TimeSpan.FromMilliseconds(Math.Min(backoff, timeout.TotalMilliseconds)) : timeout, clock, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await arrivals.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out.
        }
    }

    public Task<byte[]> ReadBodyAsync(QueueMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(Held(message)?.Body ?? throw new InvalidOperationException("The delivery is no longer held."));

    /// <summary>RabbitMQ holds an unacknowledged delivery as long as its channel lives: the lock holds while the channel does.</summary>
    public Task<bool> RenewLockAsync(QueueMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(Held(message) is { } delivery && delivery.Epoch == Interlocked.Read(ref epoch) && consumer is { IsOpen: true });

    public async Task<bool> CompleteAsync(QueueMessage message, IReadOnlyList<string> written, StoreWork record, CancellationToken cancellationToken)
    {
        var delivery = Release(message);
        var recorded = await ledger.CompleteAsync(message, written, record, cancellationToken).ConfigureAwait(false);
        return delivery is not null && recorded && await AckAsync(delivery).ConfigureAwait(false);
    }

    public async Task<bool> RescheduleAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        var rung = RungFor(due - clock.GetUtcNow());
        await PublishAsync(string.Empty, RetryQueueName(settings.QueueName, rung), Properties(message.Id, message.Feed, message.CorrelationId, null), delivery.Body, cancellationToken)
            .ConfigureAwait(false);
        var recorded = await ledger.RescheduleAsync(message, clock.GetUtcNow() + rung, issueCode, cancellationToken).ConfigureAwait(false);
        return await AckAsync(delivery).ConfigureAwait(false) && recorded;
    }

    /// <summary>Back on the queue at once (nack with requeue): the broker counts the delivery, and so does the ledger.</summary>
    public async Task<bool> AbandonAsync(QueueMessage message, DateTimeOffset due, string issueCode, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        var recorded = await ledger.AbandonAsync(message, due, issueCode, cancellationToken).ConfigureAwait(false);
        return await NackAsync(delivery).ConfigureAwait(false) && recorded;
    }

    public async Task<bool> DeadLetterAsync(QueueMessage message, string outcomeJson, CancellationToken cancellationToken)
    {
        if (Release(message) is not { } delivery)
        {
            return false;
        }

        var recorded = await ledger.DeadLetterAsync(message, outcomeJson, delivery.Body, cancellationToken).ConfigureAwait(false);
        return await DeadLetterOnBrokerAsync(delivery, outcomeJson, cancellationToken).ConfigureAwait(false) && recorded;
    }

    public async ValueTask DisposeAsync()
    {
        var open = connection;
        connection = null;
        if (open is not null)
        {
            try
            {
                await open.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrokerFault(e))
            {
                LogBrokerFault(logger, "close", e.GetType().Name);
            }

            await open.DisposeAsync().ConfigureAwait(false);
        }

        connecting.Dispose();
    }

    /// <summary>Connects and declares the topology once; the client recovers the connection after that.</summary>
    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (connection is not null && consumer is { IsOpen: true } && publisher is { IsOpen: true })
        {
            return;
        }

        if (Volatile.Read(ref recovering))
        {
            // The client is reconnecting; it recovers the channels and the consumer with the connection.
            throw new TransportUnavailableException("RabbitMQ is not reachable; the client is reconnecting.");
        }

        await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (connection is null)
            {
                var factory = new ConnectionFactory
                {
                    Uri = settings.Uri,
                    UserName = settings.UserName,
                    Password = settings.Password ?? ConnectionFactory.DefaultPass,
                    ClientProvidedName = "fhirmmn",
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                    RequestedHeartbeat = TimeSpan.FromSeconds(10),
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                };
                var opened = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                opened.ConnectionShutdownAsync += (_, _) =>
                {
                    Volatile.Write(ref recovering, true);
                    Interlocked.Increment(ref epoch);
                    LogConnectionLost(logger);
                    return Task.CompletedTask;
                };
                opened.RecoverySucceededAsync += (_, _) =>
                {
                    Volatile.Write(ref recovering, false);
                    LogRecovered(logger);
                    return Task.CompletedTask;
                };
                await DeclareAsync(opened, cancellationToken).ConfigureAwait(false);
                connection = opened;
            }

            if (publisher is not { IsOpen: true })
            {
                publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken)
                    .ConfigureAwait(false);
            }

            if (consumer is not { IsOpen: true })
            {
                consumer = await StartConsumerAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsBrokerFault(e))
        {
            LogBrokerFault(logger, "connect", e.GetType().Name);
            throw new TransportUnavailableException("RabbitMQ is not reachable.", e);
        }
        finally
        {
            connecting.Release();
        }
    }

    private async Task DeclareAsync(IConnection opened, CancellationToken cancellationToken)
    {
        await using var channel = await opened.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var queue = settings.QueueName;
        await channel.ExchangeDeclareAsync(DeadLetterQueueName, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(DeadLetterQueueName, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(DeadLetterQueueName, DeadLetterQueueName, queue, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = BrokerDeliveryLimit,
            ["x-dead-letter-exchange"] = DeadLetterQueueName,
            ["x-dead-letter-routing-key"] = queue,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var rung in RetryLadder)
        {
            await channel.QueueDeclareAsync(RetryQueueName(queue, rung), durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-message-ttl"] = (long)rung.TotalMilliseconds,
                ["x-dead-letter-exchange"] = string.Empty,
                ["x-dead-letter-routing-key"] = queue,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IChannel> StartConsumerAsync(IConnection opened, CancellationToken cancellationToken)
    {
        var channel = await opened.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            Interlocked.Increment(ref epoch);
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, (ushort)settings.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
        var deliveries = new AsyncEventingBasicConsumer(channel);
        deliveries.ReceivedAsync += (_, e) =>
        {
            // The body's memory belongs to the client only for this callback: copied.
            arrivals.Writer.TryWrite(Delivery.From(e, Interlocked.Read(ref epoch), service.Feed, channel));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(settings.QueueName, autoAck: false, deliveries, cancellationToken).ConfigureAwait(false);
        return channel;
    }

    private async Task PublishAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await publisher!.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBrokerFault(e))
        {
            LogBrokerFault(logger, "publish", e.GetType().Name);
            throw new TransportUnavailableException("RabbitMQ did not confirm the message.", e);
        }
    }

    private static BasicProperties Properties(string id, string feed, string correlationId, IDictionary<string, object?>? extra)
    {
        var headers = new Dictionary<string, object?>
        {
            [BrokerEdge.FeedProperty] = feed,
            [BrokerEdge.LedgerIdProperty] = id,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            headers[key] = value;
        }

        return new BasicProperties
        {
            Persistent = true,
            ContentType = "application/fhir+json",
            CorrelationId = correlationId,
            MessageId = id,
            Headers = headers,
        };
    }

    private async Task RefuseAsync(Delivery delivery, string outcomeJson, CancellationToken cancellationToken)
    {
        await ledger.RefuseAsync(delivery.Arrival, Name, outcomeJson, delivery.Body, cancellationToken).ConfigureAwait(false);
        await DeadLetterOnBrokerAsync(delivery, outcomeJson, cancellationToken).ConfigureAwait(false);
        LogRefused(logger, delivery.Arrival.Id, BrokerEdge.Reason(outcomeJson).Reason);
    }

    /// <summary>Published to the dead-letter exchange with the reason in headers (confirmed), then the original acknowledged.</summary>
    private async Task<bool> DeadLetterOnBrokerAsync(Delivery delivery, string outcomeJson, CancellationToken cancellationToken)
    {
        var (reason, description) = BrokerEdge.Reason(outcomeJson);
        var properties = Properties(delivery.Arrival.Id, delivery.Feed ?? service.Feed, delivery.Arrival.CorrelationId, new Dictionary<string, object?>
        {
            [BrokerEdge.ReasonProperty] = reason,
            [BrokerEdge.DescriptionProperty] = description,
            [BrokerEdge.OutcomeProperty] = BrokerEdge.Carried(outcomeJson, delivery.Arrival.CorrelationId),
        });
        properties.ContentType = delivery.ContentType;
        await PublishAsync(DeadLetterQueueName, settings.QueueName, properties, delivery.Body, cancellationToken).ConfigureAwait(false);
        return await AckAsync(delivery).ConfigureAwait(false);
    }

    private Delivery? Held(QueueMessage message) => held.TryGetValue(message.LockToken, out var delivery) ? delivery : null;

    private Delivery? Release(QueueMessage message) => held.TryRemove(message.LockToken, out var delivery) ? delivery : null;

    /// <summary>Acknowledges on the channel that delivered, while it lives; false when it went down (the broker redelivers).</summary>
    private async Task<bool> AckAsync(Delivery delivery)
    {
        if (delivery.Epoch != Interlocked.Read(ref epoch) || delivery.Channel.IsClosed)
        {
            return false;
        }

        try
        {
            await delivery.Channel.BasicAckAsync(delivery.Tag, multiple: false).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsBrokerFault(e))
        {
            LogBrokerFault(logger, "ack", e.GetType().Name);
            return false;
        }
    }

    private async Task<bool> NackAsync(Delivery delivery)
    {
        if (delivery.Epoch != Interlocked.Read(ref epoch) || delivery.Channel.IsClosed)
        {
            return false;
        }

        try
        {
            await delivery.Channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: true).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsBrokerFault(e))
        {
            LogBrokerFault(logger, "nack", e.GetType().Name);
            return false;
        }
    }

    private static bool IsBrokerFault(Exception e) =>
        e is RabbitMQClientException or OperationInterruptedException or AlreadyClosedException or BrokerUnreachableException
            or PublishException or IOException or TimeoutException or System.Net.Sockets.SocketException;

    /// <summary>A message as RabbitMQ delivered it: its body and properties copied, the channel and tag to settle it with.</summary>
    private sealed record Delivery(Arrival Arrival, byte[] Body, string? ContentType, string? Feed, ulong Tag, long Epoch, IChannel Channel)
    {
        public static Delivery From(BasicDeliverEventArgs e, long epoch, string serviceFeed, IChannel channel)
        {
            var body = e.Body.ToArray();
            var properties = e.BasicProperties;
            var feed = Text(properties.Headers, BrokerEdge.FeedProperty);
            var id = Text(properties.Headers, BrokerEdge.LedgerIdProperty) is { Length: 32 } own && own.All(char.IsAsciiHexDigitLower)
                ? own
                : BrokerLedger.DigestId(feed ?? serviceFeed, body);
            var arrival = new Arrival(id, feed ?? serviceFeed, BrokerEdge.CorrelationOf(properties.CorrelationId), Guid.NewGuid().ToString("N"));
            return new Delivery(arrival, body, properties.ContentType, feed, e.DeliveryTag, epoch, channel);
        }

        private static string? Text(IDictionary<string, object?>? headers, string key) =>
            headers is not null && headers.TryGetValue(key, out var value) ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => null,
            } : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ {Operation} failed ({ExceptionType})")]
    private static partial void LogBrokerFault(ILogger logger, string operation, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ connection lost; the client reconnects and the broker redelivers what was not acknowledged")]
    private static partial void LogConnectionLost(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "RabbitMQ connection recovered")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} redelivered after it was {State}; settled again, not processed again")]
    private static partial void LogRedeliveredSettled(ILogger logger, string messageId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} refused before reading ({IssueCode}); dead-lettered")]
    private static partial void LogRefused(ILogger logger, string messageId, string issueCode);
}
