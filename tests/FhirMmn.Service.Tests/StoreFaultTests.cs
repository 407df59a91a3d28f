using System.Diagnostics;
using Bundle = Hl7.Fhir.Model.Bundle;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Faults injected at every point of the store's write path (<see cref="Database.Faults"/>): whatever throws or hangs
/// where, every write handed to the writer is completed, what is reported stored is stored and what is reported
/// failed is not, readiness says so, and the store goes on (or, where it cannot, fails every later write at once).
/// </summary>
public sealed class StoreFaultTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(10);

    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-faults-").FullName;
    private readonly Database database;
    private readonly StoreFaults faults = new();

    public StoreFaultTests()
    {
        database = new Database(Options.Create(new FhirMmnOptions { DataDirectory = folder }), new QueueTests.Environment(folder), NullLogger<Database>.Instance)
        {
            Faults = faults.At,
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xunit 2 calls IAsyncLifetime's DisposeAsync, not IAsyncDisposable's: without it the store stayed open and its folder stayed.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        faults.ReleaseAll();
        await database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Each point, and the pairs that reach the deeper recovery paths: a rollback after a failed commit or unit.</summary>
    public static TheoryData<string> CommitPathFaults => new()
    {
        "BeginTransaction",
        "Savepoint",
        "Run",
        "SavepointRelease",
        "Commit",
        "Run+SavepointRollback",
        "Commit+Rollback",
        "Savepoint+Rollback",
    };

    [Theory]
    [MemberData(nameof(CommitPathFaults))]
    public async Task A_fault_in_a_group_commit_completes_every_unit_truthfully_and_the_next_commit_succeeds(string points)
    {
        await CreateTableAsync();
        var writes = await BatchWithFaultsAsync([.. points.Split('+').Select(Enum.Parse<StorePoint>)]);

        var outcomes = await OutcomesAsync(writes);

        Assert.Contains(outcomes, o => !o.Succeeded);
        Assert.Equal(outcomes.Where(o => o.Succeeded).Select(o => o.Key).Order(), Stored().Order());
        Assert.Equal(StoreCondition.Failing, database.Condition);
        Assert.True(await WriteKeyAsync("after", Durability.Flushed));
        Assert.Contains("after", Stored());
    }

    [Fact]
    public async Task A_unit_that_fails_alone_fails_only_itself()
    {
        await CreateTableAsync();
        var writes = await BatchWithFaultsAsync([StorePoint.Run]);

        var outcomes = await OutcomesAsync(writes);

        Assert.Single(outcomes, o => !o.Succeeded);
        Assert.Equal(writes.Count - 1, Stored().Count);
    }

    [Fact]
    public async Task A_writer_loop_that_dies_fails_its_batch_and_every_later_write_at_once_and_readiness_says_restart()
    {
        await CreateTableAsync();
        var writes = await BatchWithFaultsAsync([StorePoint.WriterLoop]);

        var outcomes = await OutcomesAsync(writes);
        var watch = Stopwatch.StartNew();
        var later = await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("later", Durability.Ordered));

        Assert.All(outcomes, o => Assert.False(o.Succeeded));
        Assert.All(outcomes, o => Assert.IsType<StoreUnavailableException>(o.Error));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
        Assert.Contains("restart", later.Message, StringComparison.Ordinal);
        Assert.Equal(StoreCondition.Stopped, database.Condition);
    }

    [Fact]
    public async Task A_failed_fsync_fails_the_flushed_writes_and_every_later_one_while_ordered_writes_go_on()
    {
        await CreateTableAsync();
        faults.Throw(StorePoint.Flush);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("flushed", Durability.Flushed));
        faults.Clear();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("flushed-later", Durability.Flushed));

        Assert.True(await WriteKeyAsync("ordered", Durability.Ordered));
        Assert.Equal(StoreCondition.FlushFailed, database.Condition);
        Assert.True(database.FlushFailed);
    }

    [Fact]
    public async Task A_flusher_loop_that_dies_fails_what_waits_for_it_and_every_later_flushed_write()
    {
        await CreateTableAsync();
        faults.Throw(StorePoint.FlushLoop);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("flushed", Durability.Flushed));
        faults.Clear();
        var later = WriteKeyAsync("flushed-later", Durability.Flushed);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => later.WaitAsync(Settled));
        Assert.Equal(StoreCondition.FlushFailed, database.Condition);
    }

    [Fact]
    public async Task A_hung_commit_lets_a_caller_with_a_deadline_go_skips_its_write_and_reports_the_store_stalled()
    {
        await CreateTableAsync();
        database.StallAfter = TimeSpan.FromMilliseconds(300);
        var gate = faults.Block(StorePoint.BeginTransaction);
        var first = WriteKeyAsync("first", Durability.Flushed);
        await faults.ReachedAsync(StorePoint.BeginTransaction);
        faults.Clear();

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        var late = WriteKeyAsync("late", Durability.Flushed, deadline.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => late);
        watch.Stop();
        await Task.Delay(database.StallAfter + TimeSpan.FromMilliseconds(200));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(2));
        Assert.Equal(StoreCondition.Stalled, database.Condition);
        gate.Release();
        Assert.True(await first.WaitAsync(Settled));
        await WriteKeyAsync("next", Durability.Ordered);
        Assert.Equal(["first", "next"], Stored().Order());
        Assert.Equal(StoreCondition.Working, database.Condition);
    }

    [Fact]
    public async Task Closing_a_store_whose_disk_hangs_fails_what_it_holds_within_the_stop_timeout()
    {
        await CreateTableAsync();
        faults.Block(StorePoint.Flush);
        var committed = WriteKeyAsync("committed", Durability.Flushed);
        await faults.ReachedAsync(StorePoint.Flush);
        faults.Block(StorePoint.BeginTransaction);
        var held = WriteKeyAsync("held", Durability.Ordered);
        await faults.ReachedAsync(StorePoint.BeginTransaction);
        var queued = WriteKeyAsync("queued", Durability.Ordered);

        var watch = Stopwatch.StartNew();
        await database.DisposeAsync();
        watch.Stop();

        Assert.True(watch.Elapsed < Database.StopTimeout + TimeSpan.FromSeconds(2), $"closed after {watch.Elapsed}");
        foreach (var write in new[] { committed, held, queued })
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => write.WaitAsync(TimeSpan.FromSeconds(1)));
        }

        await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("after-close", Durability.Ordered));
    }

    [Fact]
    public async Task Readiness_reports_failed_commits_for_the_hold_and_then_working_again()
    {
        await CreateTableAsync();
        database.FaultHold = TimeSpan.FromMilliseconds(500);
        faults.Throw(StorePoint.Commit);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => WriteKeyAsync("failed", Durability.Ordered));
        faults.Clear();

        Assert.Equal(StoreCondition.Failing, database.Condition);
        Assert.True(await WriteKeyAsync("next", Durability.Ordered));
        Assert.Equal(StoreCondition.Failing, database.Condition);
        await Task.Delay(700);
        Assert.Equal(StoreCondition.Working, database.Condition);
    }

    private sealed record Outcome(string Key, bool Succeeded, Exception? Error);

    private Task CreateTableAsync() =>
        database.WriteAsync((connection, transaction) => Database.Execute(connection, "CREATE TABLE probe (key TEXT PRIMARY KEY)", transaction), Durability.Flushed);

    private Task<bool> WriteKeyAsync(string key, Durability durability, CancellationToken cancellationToken = default) =>
        database.WriteAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO probe (key) VALUES ($key)";
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteNonQuery() == 1;
        }, durability, cancellationToken);

    /// <summary>
    /// Eight writes, flushed and ordered, in one group commit, with <paramref name="points"/> throwing once each in it:
    /// the writer is held at the start of the commit before while they queue, then at the start of theirs while the
    /// faults are armed.
    /// </summary>
    private async Task<List<(string Key, Task<bool> Write)>> BatchWithFaultsAsync(StorePoint[] points)
    {
        var opening = faults.Block(StorePoint.BeginTransaction);
        var opener = WriteKeyAsync("opener", Durability.Ordered);
        await faults.ReachedAsync(StorePoint.BeginTransaction);
        var writes = Enumerable.Range(0, 8)
            .Select(i => ($"unit-{i}", WriteKeyAsync($"unit-{i}", i % 2 == 0 ? Durability.Flushed : Durability.Ordered)))
            .ToList();
        var taking = faults.Block(StorePoint.WriterLoop);
        opening.Release();
        await opener.WaitAsync(Settled);
        await faults.ReachedAsync(StorePoint.WriterLoop);
        foreach (var point in points)
        {
            faults.Throw(point, once: true);
        }

        taking.Release();
        return writes;
    }

    private async Task<List<Outcome>> OutcomesAsync(List<(string Key, Task<bool> Write)> writes)
    {
        var outcomes = new List<Outcome>();
        foreach (var (key, write) in writes)
        {
            try
            {
                outcomes.Add(new Outcome(key, await write.WaitAsync(Settled), null));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"The write {key} was never completed.");
            }
#pragma warning disable CA1031 // Any failure is an outcome to check.
            catch (Exception e)
#pragma warning restore CA1031
            {
                outcomes.Add(new Outcome(key, false, e));
            }
        }

        faults.Clear();
        return outcomes;
    }

    private List<string> Stored()
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key FROM probe WHERE key <> 'opener'";
        using var reader = command.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}

/// <summary>What the store's write path meets at each point: nothing, an I/O error, or a gate that holds it.</summary>
internal sealed class StoreFaults
{
    private readonly object gate = new();
    private readonly Dictionary<StorePoint, (bool Once, SemaphoreSlim? Hold)> armed = [];
    private readonly Dictionary<StorePoint, TaskCompletionSource> reached = [];
    private readonly List<SemaphoreSlim> holds = [];

    public void Throw(StorePoint point, bool once = false)
    {
        lock (gate)
        {
            armed[point] = (once, null);
            reached.Remove(point);
        }
    }

    /// <summary>Holds the write path at <paramref name="point"/> until the returned gate is released.</summary>
    public SemaphoreSlim Block(StorePoint point)
    {
        var hold = new SemaphoreSlim(0);
        lock (gate)
        {
            armed[point] = (true, hold);
            reached.Remove(point);
            holds.Add(hold);
        }

        return hold;
    }

    public Task ReachedAsync(StorePoint point) => Reached(point).Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Clear()
    {
        lock (gate)
        {
            armed.Clear();
        }
    }

    public void ReleaseAll()
    {
        lock (gate)
        {
            armed.Clear();
            foreach (var hold in holds)
            {
                hold.Release(100);
            }
        }
    }

    public void At(StorePoint point)
    {
        (bool Once, SemaphoreSlim? Hold) fault;
        lock (gate)
        {
            if (!armed.TryGetValue(point, out fault))
            {
                return;
            }

            if (fault.Once)
            {
                armed.Remove(point);
            }
        }

        Reached(point).TrySetResult();
        if (fault.Hold is not null)
        {
            // Held; what was armed here meanwhile happens on release.
            fault.Hold.Wait();
            At(point);
            return;
        }

        // SQLITE_IOERR, as a failing disk gives it.
        throw new SqliteException($"Injected fault at {point}.", 10);
    }

    private TaskCompletionSource Reached(StorePoint point)
    {
        lock (gate)
        {
            if (!reached.TryGetValue(point, out var source))
            {
                source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                reached[point] = source;
            }

            return source;
        }
    }
}

/// <summary>The consumer under a failing store: a settlement the store refuses never ends a worker.</summary>
public sealed class ConsumerStoreFaultTests
{
    [Fact]
    public async Task A_settlement_the_store_refuses_leaves_the_message_to_come_again_and_the_consumer_goes_on()
    {
        var target = new GatedTarget();
        using var service = new ServiceFactory(
            new() { ["FhirMmn:Concurrency"] = "1", ["FhirMmn:LockDuration"] = "00:00:05" },
            services => services.AddScoped<IWriteBackTarget>(_ => target));
        var client = service.CreateClient();
        var database = service.Services.GetRequiredService<Database>();
        var faults = new StoreFaults();
        database.Faults = faults.At;

        var first = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
        await target.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        faults.Throw(StorePoint.Commit);
        target.Open();
        await target.Returned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The settlement is handed to the writer after the write-back returned. The commit in progress then may not hold
        // it, the next one does: two commits reached (and refused) after the return include the settlement's, however
        // slowly the machine runs.
        for (var i = 0; i < 2; i++)
        {
            faults.Throw(StorePoint.Commit);
            await faults.ReachedAsync(StorePoint.Commit);
        }

        faults.Clear();
        var second = await client.PostAsync(ServiceCalls.Example("example-probable-two-nerves.json"));

        var firstStatus = await client.SettledAsync(first, TimeSpan.FromSeconds(60));
        var secondStatus = await client.SettledAsync(second, TimeSpan.FromSeconds(60));
        Assert.Equal("completed", firstStatus.GetProperty("state").GetString());
        Assert.True(firstStatus.GetProperty("attempts").GetInt32() >= 2, firstStatus.ToString());
        Assert.Equal("completed", secondStatus.GetProperty("state").GetString());
    }

    /// <summary>A write-back target whose writes wait until it is opened.</summary>
    private sealed class GatedTarget : IWriteBackTarget
    {
        private readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Returned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? ServerBase => null;

        public string Identity => "test";

        public void Open() => open.TrySetResult();

        public Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken) =>
            Task.FromResult(new TargetState(null, null, null, null, null));

        public async Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            await open.Task.WaitAsync(cancellationToken);
            Returned.TrySetResult();
            return [];
        }
    }
}
