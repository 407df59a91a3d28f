using Azure.Messaging.ServiceBus;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Messaging.AzureServiceBus;
using Microsoft.Extensions.Logging.Abstractions;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>
/// The Service Bus adapter against the conformance suite, through the SDK's own types on an in-memory queue
/// (<see cref="InMemoryServiceBus"/>): no Service Bus emulator runs here. A lost lock is one that expired.
/// </summary>
public class ServiceBusConformance : BrokerConformance
{
    /// <summary>Long enough for a settlement that waits for the store's fsync on a loaded machine; the tests expire locks themselves.</summary>
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(30);

    protected ServiceBusConformance(bool sessions)
        : base(LockDuration)
    {
        Sessions = sessions;
        Bus = new InMemoryServiceBus(Options.LockDuration);
    }

    public ServiceBusConformance()
        : this(sessions: false)
    {
    }

    protected bool Sessions { get; }

    protected InMemoryServiceBus Bus { get; }

    protected override Task<IMessageTransport> CreateAsync() =>
        Task.FromResult<IMessageTransport>(new ServiceBusTransport(
            Bus.Client(),
            Microsoft.Extensions.Options.Options.Create(new AzureServiceBusOptions { FullyQualifiedNamespace = "fhirmmn.servicebus.windows.net", RequiresSession = Sessions }),
            Microsoft.Extensions.Options.Options.Create(Options), Ledger, TimeProvider.System, NullLogger<ServiceBusTransport>.Instance));

    protected override Task<IMessageTransport> LoseLockAsync(IMessageTransport holder)
    {
        Bus.ExpireLocks();
        return Task.FromResult(holder);
    }

    protected override Task<IReadOnlyList<string>> DeadLetterReasonsAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. Bus.DeadLetters.Select(d => d.Reason ?? "(none)")]);

    protected override async Task PublishAsync(byte[] body, string? contentType, string? feed, string? correlationId)
    {
        var message = new ServiceBusMessage(body) { ContentType = contentType, CorrelationId = correlationId, MessageId = Guid.NewGuid().ToString() };
        if (feed is not null)
        {
            message.ApplicationProperties["feed"] = feed;
        }

        if (Sessions)
        {
            message.SessionId = "hospital-session-1";
        }

        await using var client = Bus.Client();
        await using var sender = client.CreateSender("fhirmmn-bundles");
        await sender.SendMessageAsync(message);
    }

    [Fact]
    public async Task A_dead_letter_carries_a_reason_code_a_description_without_the_bundle_and_the_outcome_in_a_property()
    {
        var transport = await Consumer();
        await EnqueueAsync(transport, "{\"secret\":\"Jane Doe\"}");
        var message = await ReceiveSurelyAsync(transport);

        Assert.True(await transport.DeadLetterAsync(message, Outcome("business-rule"), CancellationToken.None));

        var dead = Assert.Single(Bus.DeadLetters);
        Assert.Equal("business-rule", dead.Reason);
        Assert.DoesNotContain("Jane", dead.Description, StringComparison.Ordinal);
        Assert.Contains("\"OperationOutcome\"", (string)dead.Properties[BrokerEdge.OutcomeProperty], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_sent_twice_is_one_message_by_duplicate_detection_and_a_rescheduled_copy_is_not_dropped()
    {
        var transport = await Consumer();
        await EnqueueAsync(transport, "{\"d\":1}");
        await EnqueueAsync(transport, "{\"d\":1}");
        var message = await ReceiveSurelyAsync(transport);

        Assert.Equal(1, Bus.Dropped);
        Assert.True(await transport.RescheduleAsync(message, DateTimeOffset.UtcNow.AddMilliseconds(100), "transient", CancellationToken.None));
        var copy = await ReceiveSurelyAsync(transport);
        Assert.Equal(message.Id, copy.Id);
        Assert.Equal(1, Bus.Dropped);
    }

    [Fact]
    public async Task Renewing_a_lock_extends_it_and_a_lock_that_expired_cannot_be_renewed()
    {
        var transport = await Consumer();
        var id = await EnqueueAsync(transport, "{\"l\":1}");
        var message = await ReceiveSurelyAsync(transport);
        var until = Bus.LockedUntil(id);

        await Task.Delay(50);
        Assert.True(await transport.RenewLockAsync(message, CancellationToken.None));
        Assert.True(Bus.LockedUntil(id) > until);

        Bus.ExpireLocks();
        Assert.False(await transport.RenewLockAsync(message, CancellationToken.None));
    }
}

/// <summary>The Service Bus adapter on a queue that requires sessions: SessionId from feed and patient, one patient in order.</summary>
public sealed class ServiceBusSessionConformance : ServiceBusConformance
{
    public ServiceBusSessionConformance()
        : base(sessions: true)
    {
    }

    [Fact]
    public async Task The_intake_sets_a_session_id_from_feed_and_patient_without_the_patient_key_in_it()
    {
        var id = ServiceBusTransport.SessionIdFor("default", "http://hospital/mrn|12345");

        Assert.Equal(32, id.Length);
        Assert.DoesNotContain("12345", id, StringComparison.Ordinal);
        Assert.Equal(id, ServiceBusTransport.SessionIdFor("default", "http://hospital/mrn|12345"));
        Assert.NotEqual(id, ServiceBusTransport.SessionIdFor("default", "http://hospital/mrn|12346"));
    }

    [Fact]
    public async Task A_patients_next_message_waits_while_one_of_theirs_is_processed_and_other_patients_go_on()
    {
        var one = await Consumer();
        var two = await Consumer();
        var first = await EnqueueAsync(one, "{\"p\":1}", "patient-a");
        await EnqueueAsync(one, "{\"p\":2}", "patient-a");
        var other = await EnqueueAsync(one, "{\"p\":3}", "patient-b");

        var held = await ReceiveSurelyAsync(one);
        var next = await ReceiveSurelyAsync(two);

        Assert.Equal(first, held.Id);
        Assert.Equal(other, next.Id);
        Assert.Null(await ReceiveAsync(two, TimeSpan.FromMilliseconds(200)));
    }
}
