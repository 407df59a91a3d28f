using System.Text;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>
/// What every transport behind <see cref="IMessageTransport"/> must do, one subclass per transport: at-least-once
/// delivery, a lost lock redelivered and counted, abandon counted, reschedule not counted, completion final, dead
/// letters with their reason, competing consumers never holding one message at once, one patient's messages in order.
/// </summary>
public abstract class TransportConformance : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-conformance-").FullName;
    private readonly List<IMessageTransport> made = [];

    /// <param name="lockDuration">The lock of a delivery, where the test sets it; 400 ms by default.</param>
    protected TransportConformance(TimeSpan? lockDuration = null)
    {
        Options = new FhirMmnOptions { DataDirectory = folder, LockDuration = lockDuration ?? TimeSpan.FromMilliseconds(400), MaxDeliveries = 5 };
        Database = new Database(Microsoft.Extensions.Options.Options.Create(Options), new Environment(folder), NullLogger<Database>.Instance);
        Ledger = new BrokerLedger(Database, TimeProvider.System);
    }

    protected FhirMmnOptions Options { get; }

    protected Database Database { get; }

    protected BrokerLedger Ledger { get; }

    protected static readonly StoreWork Nothing = (_, _) => { };

    /// <summary>How long a test waits for a delivery that must come.</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(10);

    /// <summary>How long a test watches for a delivery that must not come.</summary>
    protected virtual TimeSpan Quiet => TimeSpan.FromSeconds(1);

    /// <summary>A consumer of the transport under test; a second call makes a competing one on the same queue.</summary>
    protected abstract Task<IMessageTransport> CreateAsync();

    /// <summary>Makes <paramref name="holder"/> lose the lock of what it holds, as a consumer that died would; returns the consumer to go on with.</summary>
    protected abstract Task<IMessageTransport> LoseLockAsync(IMessageTransport holder);

    /// <summary>The dead letters the transport holds: each one's reason (an issue code).</summary>
    protected abstract Task<IReadOnlyList<string>> DeadLetterReasonsAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var transport in made)
        {
            await DisposeTransportAsync(transport);
        }

        await Database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    protected static async Task DisposeTransportAsync(IMessageTransport transport)
    {
        switch (transport)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    protected async Task<IMessageTransport> Consumer()
    {
        var transport = await CreateAsync();
        made.Add(transport);
        return transport;
    }

    protected static byte[] Body(string text) => Encoding.UTF8.GetBytes(text);

    protected static async Task<string> EnqueueAsync(IMessageTransport transport, string text, string? patient = null)
    {
        var body = Body(text);
        var id = transport.MessageIdFor("default", body);
        await transport.EnqueueAsync(new OutgoingMessage(id, "default", body, "corr-1") { PatientKey = patient ?? "patient-1" }, CancellationToken.None);
        return id;
    }

    /// <summary>Receives until a message comes or <paramref name="within"/> passes (null then).</summary>
    protected static async Task<QueueMessage?> ReceiveAsync(IMessageTransport transport, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await transport.ReceiveAsync(1, CancellationToken.None)).SingleOrDefault() is { } message)
                {
                    return message;
                }
            }
            catch (TransportUnavailableException)
            {
                // Connecting or recovering: the next round tries again.
            }

            await transport.WaitForMessagesAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        return null;
    }

    protected async Task<QueueMessage> ReceiveSurelyAsync(IMessageTransport transport) =>
        await ReceiveAsync(transport, Patience) ?? throw new Xunit.Sdk.XunitException("no message was delivered");

    protected string? LedgerState(string id)
    {
        using var connection = Database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM messages WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as string;
    }

    protected static string Outcome(string code) => FhirJson.Serialize(OperationOutcomes.Of(code, "The bundle is not valid.", "corr-1"));

    [Fact]
    public async Task A_message_is_delivered_with_its_body_and_once_completed_never_again()
    {
        var transport = await Consumer();
        var id = await EnqueueAsync(transport, "{\"n\":1}");

        var message = await ReceiveSurelyAsync(transport);
        var body = await transport.ReadBodyAsync(message, CancellationToken.None);

        Assert.Equal(id, message.Id);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(body));
        Assert.Equal(1, message.DeliveryCount);
        Assert.True(await transport.CompleteAsync(message, ["DiagnosticReport/1/_history/1"], Nothing, CancellationToken.None));
        Assert.Null(await ReceiveAsync(transport, Quiet));
        Assert.Equal("completed", LedgerState(id));
    }

    [Fact]
    public async Task A_message_whose_lock_is_lost_is_delivered_again_and_the_delivery_counts()
    {
        var transport = await Consumer();
        var id = await EnqueueAsync(transport, "{\"n\":2}");
        var first = await ReceiveSurelyAsync(transport);

        transport = await LoseLockAsync(transport);
        var again = await ReceiveSurelyAsync(transport);

        Assert.Equal(id, again.Id);
        Assert.Equal(2, again.DeliveryCount);
        Assert.False(await transport.CompleteAsync(first, [], Nothing, CancellationToken.None), "the first delivery lost its lock");
        Assert.True(await transport.CompleteAsync(again, [], Nothing, CancellationToken.None));
    }

    [Fact]
    public async Task An_abandoned_message_is_delivered_again_and_the_delivery_counts()
    {
        var transport = await Consumer();
        await EnqueueAsync(transport, "{\"n\":3}");
        var first = await ReceiveSurelyAsync(transport);

        Assert.True(await transport.AbandonAsync(first, DateTimeOffset.UtcNow, IssueCodes.Exception, CancellationToken.None));
        var again = await ReceiveSurelyAsync(transport);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(2, again.DeliveryCount);
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task A_rescheduled_message_waits_until_due_and_spends_no_delivery()
    {
        var transport = await Consumer();
        await EnqueueAsync(transport, "{\"n\":4}");
        var first = await ReceiveSurelyAsync(transport);

        // Due in 3 s: a flushed store write can take seconds on a loaded machine, and the early receive must still be early.
        Assert.True(await transport.RescheduleAsync(first, DateTimeOffset.UtcNow.AddSeconds(3), IssueCodes.Transient, CancellationToken.None));
        var early = await ReceiveAsync(transport, TimeSpan.FromMilliseconds(300));
        var due = await ReceiveSurelyAsync(transport);

        Assert.Null(early);
        Assert.Equal(first.Id, due.Id);
        Assert.Equal(1, due.DeliveryCount);
        Assert.Equal(2, due.Attempts);
        Assert.Equal(first.Sequence, due.Sequence);
    }

    [Fact]
    public async Task A_dead_lettered_message_keeps_its_reason_and_is_never_delivered_again()
    {
        var transport = await Consumer();
        var id = await EnqueueAsync(transport, "{\"n\":5}");
        var message = await ReceiveSurelyAsync(transport);

        Assert.True(await transport.DeadLetterAsync(message, Outcome(IssueCodes.Structure), CancellationToken.None));

        Assert.Null(await ReceiveAsync(transport, Quiet));
        Assert.Equal("dead-lettered", LedgerState(id));
        Assert.Contains(IssueCodes.Structure, await DeadLetterReasonsAsync());
    }

    [Fact]
    public async Task A_resubmitted_dead_letter_is_delivered_again_with_its_delivery_count_at_one()
    {
        var transport = await Consumer();
        var id = await EnqueueAsync(transport, "{\"n\":6}");
        var message = await ReceiveSurelyAsync(transport);
        Assert.True(await transport.DeadLetterAsync(message, Outcome(IssueCodes.Processing), CancellationToken.None));

        Assert.True(await transport.ResubmitAsync(id, CancellationToken.None));
        var again = await ReceiveSurelyAsync(transport);

        Assert.Equal(id, again.Id);
        Assert.Equal(1, again.DeliveryCount);
        Assert.False(await transport.ResubmitAsync(id, CancellationToken.None), "only a dead letter is resubmitted");
    }

    [Fact]
    public async Task Two_competing_consumers_never_hold_one_message_at_once()
    {
        var one = await Consumer();
        var two = await Consumer();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await EnqueueAsync(one, $"{{\"c\":{i}}}", $"patient-{i}"));
        }

        var held = new List<QueueMessage>();
        var deadline = DateTime.UtcNow + Patience;
        while (held.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            var both = await Task.WhenAll(one.ReceiveAsync(3, CancellationToken.None), two.ReceiveAsync(3, CancellationToken.None));
            held.AddRange(both.SelectMany(b => b));
            await Task.Delay(50);
        }

        Assert.Equal(ids.Order(), held.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task One_patients_messages_come_out_in_the_order_they_went_in()
    {
        var transport = await Consumer();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await EnqueueAsync(transport, $"{{\"o\":{i}}}", "patient-ordered"));
        }

        var order = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            var message = await ReceiveSurelyAsync(transport);
            order.Add(message.Id);
            Assert.True(await transport.CompleteAsync(message, [], Nothing, CancellationToken.None));
        }

        Assert.Equal(ids, order);
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "FhirMmn.Service.Tests";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

/// <summary>The broker transports also take bundles a hospital published straight onto the queue, and a redelivery of a finished message.</summary>
public abstract class BrokerConformance(TimeSpan? lockDuration = null) : TransportConformance(lockDuration)
{
    /// <summary>Publishes as a hospital system would, with these properties (null: not set).</summary>
    protected abstract Task PublishAsync(byte[] body, string? contentType, string? feed, string? correlationId);

    [Fact]
    public async Task A_bundle_a_hospital_published_is_delivered_under_the_digest_of_feed_and_body_with_its_correlation_id()
    {
        var transport = await Consumer();
        var body = Body("{\"resourceType\":\"Bundle\"}");

        await PublishAsync(body, "application/fhir+json", "default", "hospital-42");
        var message = await ReceiveSurelyAsync(transport);

        Assert.Equal(BrokerLedger.DigestId("default", body), message.Id);
        Assert.Equal("default", message.Feed);
        Assert.Equal("hospital-42", message.CorrelationId);
        Assert.Equal(body, await transport.ReadBodyAsync(message, CancellationToken.None));
        Assert.Equal("processing", LedgerState(message.Id));
    }

    [Theory]
    [InlineData("text/plain", "default", IssueCodes.NotSupported)]
    [InlineData(null, "default", IssueCodes.NotSupported)]
    [InlineData("application/fhir+json", "another-feed", IssueCodes.Forbidden)]
    public async Task A_published_message_with_the_wrong_properties_is_dead_lettered_with_the_reason_without_being_handed_out(string? contentType, string feed, string reason)
    {
        var transport = await Consumer();
        var body = Body("{\"resourceType\":\"Bundle\",\"id\":\"" + reason + "\"}");

        await PublishAsync(body, contentType, feed, null);

        Assert.Null(await ReceiveAsync(transport, Quiet + Quiet));
        var reasons = await DeadLetterReasonsAsync();
        Assert.Contains(reason, reasons);
        Assert.Equal("dead-lettered", LedgerState(BrokerLedger.DigestId(feed, body)));
    }

    [Fact]
    public async Task A_redelivery_of_a_message_the_ledger_completed_is_acknowledged_and_not_handed_out_again()
    {
        var transport = await Consumer();
        await EnqueueAsync(transport, "{\"r\":1}");
        var message = await ReceiveSurelyAsync(transport);

        // The ledger's commit went through, the broker's settlement did not (the service died in between).
        Assert.True(await Ledger.CompleteAsync(message, [], Nothing, CancellationToken.None));
        transport = await LoseLockAsync(transport);

        Assert.Null(await ReceiveAsync(transport, Quiet + Quiet));
        transport = await LoseLockAsync(transport);
        Assert.Null(await ReceiveAsync(transport, Quiet));
    }
}
