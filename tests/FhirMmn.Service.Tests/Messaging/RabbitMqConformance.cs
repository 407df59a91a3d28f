using System.Text;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Messaging.RabbitMq;
using FhirMmn.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>
/// RabbitMQ, a real broker (the one .ci/run started, or one of the test run's own), against the conformance suite.
/// A lost lock is a consumer whose connection closed: the broker gives its unacknowledged deliveries to the next.
/// Each test has queues of its own.
/// </summary>
public sealed class RabbitMqConformance : BrokerConformance
{
    private readonly string queue = "conformance-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> deadLetters = [];
    private RabbitMqBroker broker = null!;

    protected override TimeSpan Quiet => TimeSpan.FromMilliseconds(1500);

    public override async Task InitializeAsync() => broker = await RabbitMqBroker.Shared();

    protected override async Task<IMessageTransport> CreateAsync()
    {
        var transport = new RabbitMqTransport(
            Microsoft.Extensions.Options.Options.Create(new RabbitMqOptions { Uri = broker.Address, QueueName = queue }),
            Microsoft.Extensions.Options.Options.Create(Options), Ledger, TimeProvider.System, NullLogger<RabbitMqTransport>.Instance);
        await transport.ReceiveAsync(0, CancellationToken.None);
        return transport;
    }

    protected override async Task<IMessageTransport> LoseLockAsync(IMessageTransport holder)
    {
        await DisposeTransportAsync(holder);
        return await Consumer();
    }

    protected override async Task<IReadOnlyList<string>> DeadLetterReasonsAsync()
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(queue + ".dead-letter", autoAck: true) is { } got)
        {
            var reason = got.BasicProperties.Headers?[BrokerEdge.ReasonProperty] as byte[];
            deadLetters.Add(reason is null ? "(none)" : Encoding.UTF8.GetString(reason));
        }

        return deadLetters;
    }

    protected override async Task PublishAsync(byte[] body, string? contentType, string? feed, string? correlationId)
    {
        await using var connection = await Connect();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { Persistent = true, ContentType = contentType, CorrelationId = correlationId };
        if (feed is not null)
        {
            properties.Headers = new Dictionary<string, object?> { ["feed"] = feed };
        }

        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }

    private Task<IConnection> Connect() => new ConnectionFactory { Uri = broker.Uri }.CreateConnectionAsync();
}
