using System.Text;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Bundle = Hl7.Fhir.Model.Bundle;

namespace FhirMmn.Service.Tests;

/// <summary>The embedded durable queue: peek-lock, expiry and redelivery, settling, and what the consumer does with each outcome.</summary>
public sealed class QueueTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-queue-").FullName;
    private readonly Database database;
    private readonly SqliteTransport transport;

    public QueueTests()
    {
        var options = Options.Create(new FhirMmnOptions { DataDirectory = folder, LockDuration = TimeSpan.FromMilliseconds(300) });
        database = new Database(options, new Environment(folder), NullLogger<Database>.Instance);
        transport = new SqliteTransport(database, TimeProvider.System, options);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xunit 2 calls IAsyncLifetime's DisposeAsync, not IAsyncDisposable's: without it the store stayed open and its folder stayed.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        transport.Dispose();
        await database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private static readonly StoreWork Nothing = (_, _) => { };

    private async Task<string> Enqueue(string text = "{}")
    {
        var id = MessageIds.New();
        await transport.EnqueueAsync(id, "default", Encoding.UTF8.GetBytes(text), "c1", CancellationToken.None);
        return id;
    }

    [Fact]
    public async Task A_received_message_is_locked_until_settled()
    {
        var id = await Enqueue();

        var first = Assert.Single(await transport.ReceiveAsync(10, CancellationToken.None));
        var second = await transport.ReceiveAsync(10, CancellationToken.None);

        Assert.Equal(id, first.Id);
        Assert.Equal(1, first.DeliveryCount);
        Assert.Empty(second);
        Assert.True(await transport.CompleteAsync(first, ["DiagnosticReport/1/_history/1"], Nothing, CancellationToken.None));
        Assert.Empty(await transport.ReceiveAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_message_whose_consumer_died_is_delivered_again_when_its_lock_expires_and_counts_the_delivery()
    {
        await Enqueue();
        var first = Assert.Single(await transport.ReceiveAsync(1, CancellationToken.None));

        await Task.Delay(400);
        var again = Assert.Single(await transport.ReceiveAsync(1, CancellationToken.None));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(2, again.DeliveryCount);
        Assert.False(await transport.CompleteAsync(first, [], Nothing, CancellationToken.None), "the first consumer lost its lock");
        Assert.True(await transport.CompleteAsync(again, [], Nothing, CancellationToken.None));
    }

    [Fact]
    public async Task A_rescheduled_message_waits_until_due_and_does_not_count_as_a_delivery()
    {
        await Enqueue();
        var first = Assert.Single(await transport.ReceiveAsync(1, CancellationToken.None));

        await transport.RescheduleAsync(first, DateTimeOffset.UtcNow.AddMilliseconds(500), "transient", CancellationToken.None);
        var early = await transport.ReceiveAsync(1, CancellationToken.None);
        await Task.Delay(600);
        var due = Assert.Single(await transport.ReceiveAsync(1, CancellationToken.None));

        Assert.Empty(early);
        Assert.Equal(1, due.DeliveryCount);
        Assert.Equal(2, due.Attempts);
    }

    [Fact]
    public async Task Messages_come_out_in_the_order_they_went_in()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Enqueue());
        }

        var received = await transport.ReceiveAsync(10, CancellationToken.None);

        Assert.Equal(ids, received.Select(m => m.Id));
    }

    private List<string> Ids(string table)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM {table} ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    [Fact]
    public async Task Completed_messages_older_than_the_cutoff_are_deleted_with_their_bodies_oldest_first_and_nothing_else_is()
    {
        var completed = new[] { await Enqueue(), await Enqueue() };
        var deadLettered = await Enqueue();
        var processing = await Enqueue();
        var received = await transport.ReceiveAsync(10, CancellationToken.None);
        Assert.True(await transport.CompleteAsync(received[0], [], Nothing, CancellationToken.None));
        Assert.True(await transport.CompleteAsync(received[1], [], Nothing, CancellationToken.None));
        Assert.True(await transport.DeadLetterAsync(received[2], "{}", CancellationToken.None));
        var queued = await Enqueue();
        var now = DateTimeOffset.UtcNow;

        var notYet = await transport.PurgeCompletedAsync(now.AddMinutes(-1), 10, CancellationToken.None);
        var first = await transport.PurgeCompletedAsync(now.AddMinutes(1), 1, CancellationToken.None);
        var afterFirst = Ids("messages");
        var rest = await transport.PurgeCompletedAsync(now.AddMinutes(1), 10, CancellationToken.None);

        Assert.Equal(0, notYet);
        Assert.Equal(1, first);
        Assert.DoesNotContain(completed[0], afterFirst);
        Assert.Contains(completed[1], afterFirst);
        Assert.Equal(1, rest);
        var kept = new[] { deadLettered, processing, queued }.Order().ToList();
        Assert.Equal(kept, Ids("messages"));
        Assert.Equal(kept, Ids("message_bodies"));
        Assert.Equal(queued, Assert.Single(await transport.ReceiveAsync(10, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task The_purger_deletes_what_completed_longer_ago_than_the_retention_in_batches()
    {
        var clock = new ShiftedClock();
        var options = Options.Create(new FhirMmnOptions { DataDirectory = folder, MessageRetention = TimeSpan.FromDays(30) });
        using var timed = new SqliteTransport(database, clock, options);
        var purger = new MessagePurger(timed, clock, options, NullLogger<MessagePurger>.Instance);
        for (var i = 0; i < 501; i++)
        {
            await timed.EnqueueAsync(MessageIds.New(), "default", [1], "c1", CancellationToken.None);
        }

        foreach (var message in await timed.ReceiveAsync(1000, CancellationToken.None))
        {
            Assert.True(await timed.CompleteAsync(message, [], Nothing, CancellationToken.None));
        }

        clock.Shift = TimeSpan.FromDays(29);
        var early = await purger.PurgeAsync(CancellationToken.None);
        clock.Shift = TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1);
        var due = await purger.PurgeAsync(CancellationToken.None);

        Assert.Equal(0, early);
        Assert.Equal(501, due);
        Assert.Empty(Ids("messages"));
        Assert.Empty(Ids("message_bodies"));
    }

    /// <summary>The system clock moved by <see cref="Shift"/>.</summary>
    internal sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }

    [Fact]
    public async Task Enqueues_from_many_callers_are_all_durably_stored()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => Enqueue()));

        Assert.Equal(300, ids.Distinct().Count());
        Assert.Equal(300, (await transport.ReceiveAsync(1000, CancellationToken.None)).Count);
    }

    internal sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "FhirMmn.Service.Tests";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

/// <summary>The consumer, running in the service: one bad message never blocks the others; crashes are counted.</summary>
public sealed class ConsumerTests
{
    [Fact]
    public async Task A_malformed_message_on_the_queue_is_dead_lettered_with_its_reason_and_the_next_one_flows()
    {
        using var service = new ServiceFactory();
        var client = service.CreateClient();
        var transport = service.Services.GetRequiredService<IMessageTransport>();

        var bad = MessageIds.New();
        await transport.EnqueueAsync(new OutgoingMessage(bad, "default", Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\"}}]}"), "bad-1"), CancellationToken.None);
        var good = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));

        var badStatus = await client.SettledAsync(bad);
        var goodStatus = await client.SettledAsync(good);

        Assert.Equal("dead-lettered", badStatus.GetProperty("state").GetString());
        var outcome = badStatus.GetProperty("outcome");
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal("bad-1", outcome.GetProperty("id").GetString());
        Assert.Contains(outcome.GetProperty("issue").EnumerateArray(), i => i.GetProperty("expression")[0].GetString() == "Bundle.entry[0].resource.status");
        Assert.Equal("completed", goodStatus.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_message_that_keeps_crashing_its_handler_is_dead_lettered_at_the_delivery_limit()
    {
        var crashing = new CrashingTarget();
        using var service = new ServiceFactory(
            new() { ["FhirMmn:MaxDeliveries"] = "3", ["FhirMmn:RetryBaseDelay"] = "00:00:00.050" },
            services => services.AddScoped<IWriteBackTarget>(_ => crashing));
        var client = service.CreateClient();

        var status = await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));

        Assert.Equal("dead-lettered", status.GetProperty("state").GetString());
        Assert.Equal(3, crashing.Calls);
        Assert.Contains("deliveries", status.GetProperty("outcome").GetProperty("issue")[0].GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_taken_ahead_keeps_its_lock_while_it_waits_behind_a_slow_write_back()
    {
        // One worker; the first write-back outlasts the lock. The second message, taken ahead, waits all that time:
        // unless its lock is renewed while it waits, it is delivered a second time when the first settles.
        var target = new SlowFirstTarget(TimeSpan.FromSeconds(7));
        using var service = new ServiceFactory(
            new() { ["FhirMmn:Concurrency"] = "1", ["FhirMmn:LockDuration"] = "00:00:05" },
            services => services.AddScoped<IWriteBackTarget>(_ => target));
        var client = service.CreateClient();

        var first = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
        var second = await client.PostAsync(ServiceCalls.Example("example-probable-two-nerves.json"));
        var firstStatus = await client.SettledAsync(first);
        var secondStatus = await client.SettledAsync(second);

        Assert.Equal(("completed", 1), (firstStatus.GetProperty("state").GetString(), firstStatus.GetProperty("attempts").GetInt32()));
        Assert.Equal(("completed", 1), (secondStatus.GetProperty("state").GetString(), secondStatus.GetProperty("attempts").GetInt32()));
        Assert.Equal(2, target.Writes);
    }

    private sealed class SlowFirstTarget(TimeSpan firstDelay) : IWriteBackTarget
    {
        private int writes;

        public int Writes => writes;

        public string? ServerBase => null;

        public string Identity => "test";

        public Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken) =>
            Task.FromResult(new TargetState(null, null, null, null, null));

        public async Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref writes) == 1)
            {
                await Task.Delay(firstDelay, cancellationToken);
            }

            return [];
        }
    }

    private sealed class CrashingTarget : IWriteBackTarget
    {
        private int calls;

        public int Calls => calls;

        public string? ServerBase => null;

        public string Identity => "test";

        public Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("A bug in a dependency.");
        }

        public Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("A bug in a dependency.");
        }
    }
}
