using System.Threading.Channels;
using FhirMmn.Service.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Storage;

/// <summary>Work on the store inside a transaction, to run in a group commit.</summary>
public delegate void StoreWork(SqliteConnection connection, SqliteTransaction transaction);

/// <summary>How durable a write must be when its task completes.</summary>
public enum Durability
{
    /// <summary>On disk: committed, and the WAL flushed (fsync) since. For what the service promises, the 202 of the intake.</summary>
    Flushed,

    /// <summary>
    /// Committed and ordered, flushed with the next flush or checkpoint. For what the service re-derives when a power
    /// loss drops it: locks, settlements, merged evidence, written results. WAL frames are recovered strictly in
    /// order, so a later commit never survives without an earlier one.
    /// </summary>
    Ordered,
}

/// <summary>What readiness reports of the store's writing.</summary>
public enum StoreCondition
{
    /// <summary>Commits and flushes succeed.</summary>
    Working,

    /// <summary>A commit failed (a disk error, a full disk) less than <see cref="Database.FaultHold"/> ago.</summary>
    Failing,

    /// <summary>A commit or a flush has been running for longer than <see cref="Database.StallAfter"/>: the disk does not answer.</summary>
    Stalled,

    /// <summary>An fsync failed: nothing flushed can be promised until the service is restarted.</summary>
    FlushFailed,

    /// <summary>The writer stopped after an error of its own: nothing can be written until the service is restarted.</summary>
    Stopped,
}

/// <summary>
/// The store could not take or confirm a write: a failing or full disk, a writer or flusher that stopped, a store
/// that is closing. The write may be sent again; HTTP answers 503 with Retry-After.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
        : base("The store is not available.")
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The points of the write path where a test can make the store fail (<see cref="Database.Faults"/>).</summary>
internal enum StorePoint
{
    /// <summary>The writer loop, between taking a batch and committing it.</summary>
    WriterLoop,
    BeginTransaction,
    Savepoint,

    /// <summary>A unit's own work.</summary>
    Run,
    SavepointRollback,
    SavepointRelease,
    Commit,

    /// <summary>The rollback of a group commit that failed.</summary>
    Rollback,

    /// <summary>The flusher loop, between taking committed units and flushing them.</summary>
    FlushLoop,

    /// <summary>The fsync of the WAL.</summary>
    Flush,
}

/// <summary>
/// The embedded store and queue: one SQLite file in the data folder, WAL journal. All writes go through one
/// connection in group commits: many units of work share one transaction, each unit in its own savepoint so that
/// a failing unit fails alone. Commits do not wait for the disk (synchronous=NORMAL); a flusher fsyncs the WAL
/// after them, one fsync for every commit made meanwhile, and only then completes the
/// <see cref="Durability.Flushed"/> units. So the writer goes on committing while the disk flushes (an fsync takes
/// milliseconds here, and the queue's receives and settlements used to wait behind it). This is as durable as
/// synchronous=FULL for those units: their frames are written before the fsync starts, and a checkpoint that
/// moves them into the database file first syncs the WAL and then the database. Reads use their own pooled connections.
/// <para>
/// Every unit handed to the writer is completed, whatever fails where: a unit that throws fails alone; a group
/// commit that cannot begin, savepoint, release or commit fails every unit of it that had not failed already; a
/// writer or flusher loop that dies fails what it held and everything after it; closing fails what a disk that no
/// longer answers still holds after <see cref="StopTimeout"/>.
/// </para>
/// </summary>
public sealed partial class Database : IAsyncDisposable
{
    private const int MaxUnitsPerCommit = 256;

    /// <summary>How long closing waits for the writer and the flusher before it fails what they still hold.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);


    /// <summary>Savepoint names, made once (the unit's index in its batch).</summary>
    private static readonly string[] Savepoints = [.. Enumerable.Range(0, MaxUnitsPerCommit).Select(i => $"u{i}")];

    private readonly string connectionString;
    private readonly Channel<WriteUnit> units = Channel.CreateUnbounded<WriteUnit>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The batch being committed; filled and cleared under its own lock, so that closing can fail it.</summary>
    private readonly List<WriteUnit> batch = new(MaxUnitsPerCommit);
    private readonly Task writerLoop;
    private readonly Channel<List<WriteUnit>> pendingFlush = Channel.CreateUnbounded<List<WriteUnit>>();

    /// <summary>The committed units waiting for the fsync; filled and cleared under its own lock, so that closing can fail them.</summary>
    private readonly List<WriteUnit> waiting = [];
    private readonly Task flushLoop;
    private readonly ILogger<Database> logger;
    private SqliteConnection writer;

    /// <summary>The writer connection must be replaced before the next commit (its transaction could not be rolled back).</summary>
    private bool writerBroken;
    private volatile bool writerStopped;
    private volatile bool flushFailed;

    /// <summary>Environment.TickCount64 of the last store fault, of the start of the commit and of the flush running (0: none).</summary>
    private long lastFaultAt;
    private long commitStartedAt;
    private long flushStartedAt;

    public Database(IOptions<FhirMmnOptions> options, IHostEnvironment environment, ILogger<Database> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        this.logger = logger;
        var folder = DataFolder.Resolve(options.Value, environment);
        if (DataFolder.Problem(folder) is { } problem)
        {
            throw DataFolder.Unusable(problem);
        }

        FilePath = Path.Combine(folder, "fhirmmn.db");
        connectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        try
        {
            writer = OpenWriter();
        }
        catch (SqliteException e)
        {
            throw DataFolder.Unusable($"FhirMmn:DataDirectory: the store {FilePath} cannot be opened (SQLite: {SQLitePCL.raw.sqlite3_errstr(e.SqliteErrorCode).utf8_to_string()}).");
        }

        Schema.Create(writer);
        writerLoop = Dedicated(WriteLoop);
        flushLoop = Dedicated(FlushLoop);
    }

    public string FilePath { get; }

    /// <summary>The folder of the store, whose file system readiness watches for free space.</summary>
    public string Folder => Path.GetDirectoryName(FilePath)!;

    /// <summary>Set for good when an fsync failed: flushed writes fail from then on, and readiness reports it.</summary>
    public bool FlushFailed => flushFailed;

    /// <summary>How long readiness keeps reporting <see cref="StoreCondition.Failing"/> after the last failed commit.</summary>
    public TimeSpan FaultHold { get; internal set; } = TimeSpan.FromSeconds(15);

    /// <summary>A commit or flush running longer than this reports the store <see cref="StoreCondition.Stalled"/>.</summary>
    public TimeSpan StallAfter { get; internal set; } = TimeSpan.FromSeconds(5);

    /// <summary>The state of the store's writing, for readiness.</summary>
    public StoreCondition Condition
    {
        get
        {
            if (writerStopped)
            {
                return StoreCondition.Stopped;
            }

            if (flushFailed)
            {
                return StoreCondition.FlushFailed;
            }

            var now = Environment.TickCount64;
            if (Longer(Volatile.Read(ref commitStartedAt), now, StallAfter) || Longer(Volatile.Read(ref flushStartedAt), now, StallAfter))
            {
                return StoreCondition.Stalled;
            }

            var fault = Volatile.Read(ref lastFaultAt);
            return fault != 0 && now - fault < FaultHold.TotalMilliseconds ? StoreCondition.Failing : StoreCondition.Working;
        }
    }

    /// <summary>Tests only: called at each <see cref="StorePoint"/> of the write path, to throw or to block there. Null in the service.</summary>
    internal Action<StorePoint>? Faults { get; set; }

    /// <summary>A connection for reading; the caller disposes it.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    /// <summary>
    /// Runs a unit of work in the next group commit; completes once it is committed as durably as asked, or fails
    /// (a <see cref="StoreUnavailableException"/> when the store could not commit or flush it). When
    /// <paramref name="cancellationToken"/> is cancelled the task ends at once; a unit whose turn has not come yet is
    /// then skipped, one already committed stays committed.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, Durability durability, CancellationToken cancellationToken = default)
    {
        var unit = new WriteUnit<T>(work, durability, cancellationToken);
        return units.Writer.TryWrite(unit)
            ? unit.Completion.Task.WaitAsync(cancellationToken)
            : Task.FromException<T>(Closed());
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> work, Durability durability, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, durability, cancellationToken);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Statements = [];

    /// <summary>
    /// A command for the writer's hot statements, prepared once per connection and reused (SQLite then skips
    /// parsing it again); its parameters are cleared. Do not dispose it. Writer thread only.
    /// </summary>
    public static SqliteCommand Prepared(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var statements = Statements.GetOrCreateValue(connection);
        if (!statements.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            statements[sql] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        return command;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The writer and the flusher each run on a thread of their own, not the pool's: their SQLite calls and fsyncs
    /// block, and a disk that hangs must hold those two threads only, never the pool threads that answer the
    /// requests (with two cores the pool starts with two; the intake's 503s waited seconds for new ones).
    /// </summary>
    private static Task Dedicated(Action loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits, blocking this dedicated thread, until the channel has something to read; false once it is completed.</summary>
    private static bool WaitToRead<T>(ChannelReader<T> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private static bool Longer(long startedAt, long now, TimeSpan limit) => startedAt != 0 && now - startedAt > limit.TotalMilliseconds;

    private void At(StorePoint point) => Faults?.Invoke(point);

    private void NoteFault() => Volatile.Write(ref lastFaultAt, Environment.TickCount64);

    private StoreUnavailableException Closed() => writerStopped
        ? new StoreUnavailableException("The store's writer stopped after an error; restart the service.")
        : new StoreUnavailableException("The store is closed: the service is stopping.");

    private SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = 30000;
                """);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void WriteLoop()
    {
        try
        {
            while (WaitToRead(units.Reader))
            {
                lock (batch)
                {
                    while (batch.Count < MaxUnitsPerCommit && units.Reader.TryRead(out var unit))
                    {
                        batch.Add(unit);
                    }
                }

                At(StorePoint.WriterLoop);
                Volatile.Write(ref commitStartedAt, Environment.TickCount64);
                var committed = Commit();
                Volatile.Write(ref commitStartedAt, 0);
                if (committed)
                {
                    Complete();
                }

                lock (batch)
                {
                    batch.Clear();
                }
            }
        }
#pragma warning disable CA1031 // The writer's own failure must not leave a write uncompleted: it fails them all and stops the store.
        catch (Exception e)
#pragma warning restore CA1031
        {
            writerStopped = true;
            NoteFault();
            var type = e.GetType().Name;
            LogWriterStopped(logger, type);
            var failure = new StoreUnavailableException("The store's writer stopped after an error; restart the service.", e);
            units.Writer.TryComplete(failure);
            FailHeld(failure);
        }
        finally
        {
            pendingFlush.Writer.TryComplete();
        }
    }

    /// <summary>After a commit: the ordered units are done, the flushed ones go to the flusher.</summary>
    private void Complete()
    {
        List<WriteUnit>? flushed = null;
        foreach (var unit in batch)
        {
            if (unit.IsCompleted)
            {
                // Failed alone (rolled back to its savepoint), or skipped because its caller gave up.
                continue;
            }

            if (unit.Durability == Durability.Ordered)
            {
                unit.Succeed();
            }
            else
            {
                (flushed ??= new List<WriteUnit>(batch.Count)).Add(unit);
            }
        }

        if (flushed is not null && !pendingFlush.Writer.TryWrite(flushed))
        {
            var failure = new StoreUnavailableException("The store's flusher stopped: the write is committed but not flushed to disk; restart the service.");
            foreach (var unit in flushed)
            {
                unit.Fail(failure);
            }
        }
    }

    /// <summary>
    /// Runs the batch in one transaction. True when it committed (units that failed alone are failed already); false
    /// when the group commit failed, every unit of it failed.
    /// </summary>
    private bool Commit()
    {
        SqliteTransaction? transaction = null;
        try
        {
            if (writerBroken)
            {
                ReplaceWriter();
            }

            At(StorePoint.BeginTransaction);
            transaction = writer.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                var unit = batch[i];
                if (unit.CancellationToken.IsCancellationRequested)
                {
                    unit.Cancel();
                    continue;
                }

                var savepoint = Savepoints[i];
                At(StorePoint.Savepoint);
                transaction.Save(savepoint);
                try
                {
                    At(StorePoint.Run);
                    unit.Run(writer, transaction);
                }
#pragma warning disable CA1031 // One failing unit must not take the others of the group commit with it; its caller gets the exception.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    unit.Fail(e);
                    if (IsStoreFault(e))
                    {
                        NoteFault();
                    }

                    At(StorePoint.SavepointRollback);
                    transaction.Rollback(savepoint);
                }

                At(StorePoint.SavepointRelease);
                transaction.Release(savepoint);
            }

            At(StorePoint.Commit);
            transaction.Commit();
            transaction = null;
            return true;
        }
#pragma warning disable CA1031 // A failed group commit fails every unit in it; the loop goes on with the next batch.
        catch (Exception e)
#pragma warning restore CA1031
        {
            NoteFault();
            LogCommitFailed(logger, batch.Count, e.GetType().Name);
            var failure = new StoreUnavailableException("The store could not commit the write.", e);
            foreach (var unit in batch)
            {
                // A unit that failed alone keeps its own reason.
                unit.Fail(failure);
            }

            RollBack(transaction);
            transaction = null;
            return false;
        }
        finally
        {
            transaction?.Dispose();
        }
    }

    /// <summary>
    /// Rolls back a group commit that failed, so that the next one can begin. When the driver's rollback fails, the
    /// transaction is rolled back on the SQLite handle itself; the driver, which then still counts its transaction
    /// as open, gets a new writer connection before the next commit.
    /// </summary>
    private void RollBack(SqliteTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            At(StorePoint.Rollback);
            transaction.Dispose();
        }
#pragma warning disable CA1031 // Whatever the rollback threw, the writer must be made usable again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogRollbackFailed(logger, e.GetType().Name);
            _ = SQLitePCL.raw.sqlite3_exec(writer.Handle, "ROLLBACK");
            writerBroken = true;
        }
    }

    /// <summary>
    /// A new writer connection for one the driver still counts in a transaction. The new one is opened before the old
    /// one is closed, so that the WAL file (which the flusher holds open) is never deleted and made anew meanwhile.
    /// Throws when it cannot be opened; the next commit tries again.
    /// </summary>
    private void ReplaceWriter()
    {
        var old = writer;
        writer = OpenWriter();
        writerBroken = false;
        try
        {
            old.Dispose();
        }
#pragma warning disable CA1031 // The old connection holds no transaction any more (rolled back on its handle); a failure closing it changes nothing.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogRollbackFailed(logger, e.GetType().Name);
        }
    }

    /// <summary>SQLite's codes for a store that cannot write: busy, read-only, I/O error, corrupt, full, cannot open, protocol, not a database.</summary>
    private static bool IsStoreFault(Exception e) =>
        e is IOException or StoreUnavailableException or SqliteException { SqliteErrorCode: 5 or 8 or 10 or 11 or 13 or 14 or 15 or 26 };

    /// <summary>
    /// Flushes the WAL for the flushed units committed so far, many commits to one fsync, and completes them. The WAL
    /// is held open for the life of the store (closing another descriptor of a file SQLite uses could drop its locks).
    /// </summary>
    private void FlushLoop()
    {
        FileStream? wal = null;
        try
        {
            while (WaitToRead(pendingFlush.Reader))
            {
                lock (waiting)
                {
                    while (pendingFlush.Reader.TryRead(out var committed))
                    {
                        waiting.AddRange(committed);
                    }
                }

                At(StorePoint.FlushLoop);
                Exception? failure = null;
                Volatile.Write(ref flushStartedAt, Environment.TickCount64);
                try
                {
                    if (flushFailed)
                    {
                        throw new StoreUnavailableException("The store could not flush its log to disk earlier; restart the service.");
                    }

                    At(StorePoint.Flush);
                    wal ??= new FileStream(FilePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                    wal.Flush(flushToDisk: true);
                }
#pragma warning disable CA1031 // The units are failed with the reason, and so is every later flushed unit.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    // After a failed fsync the kernel may have dropped the pages it could not write, so a later
                    // fsync proves nothing: no more promises from this store until it is restarted (and recovered).
                    failure = e as StoreUnavailableException ?? new StoreUnavailableException("The store could not flush its log to disk; restart the service.", e);
                    if (!flushFailed)
                    {
                        flushFailed = true;
                        NoteFault();
                        var type = e.GetType().Name;
                        LogFlushFailed(logger, waiting.Count, type);
                    }
                }

                Volatile.Write(ref flushStartedAt, 0);
                lock (waiting)
                {
                    foreach (var unit in waiting)
                    {
                        if (failure is null)
                        {
                            unit.Succeed();
                        }
                        else
                        {
                            unit.Fail(failure);
                        }
                    }

                    waiting.Clear();
                }
            }
        }
#pragma warning disable CA1031 // The flusher's own failure must not leave a write uncompleted: it fails them and every later flushed write.
        catch (Exception e)
#pragma warning restore CA1031
        {
            flushFailed = true;
            NoteFault();
            var type = e.GetType().Name;
            LogFlushFailed(logger, waiting.Count, type);
            var failure = new StoreUnavailableException("The store's flusher stopped after an error; restart the service.", e);
            pendingFlush.Writer.TryComplete(failure);
            FailFlushing(failure);
        }
        finally
        {
            if (wal is not null)
            {
                CloseQuietly(wal);
            }
        }
    }

    private void CloseQuietly(FileStream wal)
    {
        try
        {
            wal.Dispose();
        }
        catch (IOException e)
        {
            var type = e.GetType().Name;
            LogFlushFailed(logger, 0, type);
        }
    }

    /// <summary>Fails the batch being committed and every unit not yet taken (the writer no longer takes them).</summary>
    private void FailHeld(StoreUnavailableException failure)
    {
        lock (batch)
        {
            // Not cleared: a writer that is still inside the commit owns the list; failing a unit twice changes nothing.
            foreach (var unit in batch)
            {
                unit.Fail(failure);
            }

            while (units.Reader.TryRead(out var unit))
            {
                unit.Fail(failure);
            }
        }
    }

    /// <summary>Fails the units waiting for an fsync and those handed to the flusher since.</summary>
    private void FailFlushing(StoreUnavailableException failure)
    {
        lock (waiting)
        {
            foreach (var unit in waiting)
            {
                unit.Fail(failure);
            }

            waiting.Clear();
            while (pendingFlush.Reader.TryRead(out var committed))
            {
                foreach (var unit in committed)
                {
                    unit.Fail(failure);
                }
            }
        }
    }

    /// <summary>
    /// Lets the writer commit what it was given and the flusher flush it, for up to <see cref="StopTimeout"/>. A disk
    /// that does not answer in that time does not hold the shutdown: what is still waiting fails, and the writer's
    /// connection is left to the end of the process (a thread is still inside it).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        units.Writer.TryComplete();
        try
        {
            await Task.WhenAll(writerLoop, flushLoop).WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopTimedOut(logger, StopTimeout.TotalSeconds);
            var failure = new StoreUnavailableException("The store closed before the write was confirmed: the disk did not answer.");
            FailHeld(failure);
            FailFlushing(failure);
            return;
        }

        await writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit of {Units} units failed ({ExceptionType})")]
    private static partial void LogCommitFailed(ILogger logger, int units, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rolling back a failed group commit failed ({ExceptionType}); the writer connection is replaced")]
    private static partial void LogRollbackFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The store's writer stopped ({ExceptionType}): every write fails until the service is restarted")]
    private static partial void LogWriterStopped(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Flushing the store's log to disk failed for {Units} units ({ExceptionType})")]
    private static partial void LogFlushFailed(ILogger logger, int units, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "The store did not finish its writes within {Seconds} s of the stop; they are failed")]
    private static partial void LogStopTimedOut(ILogger logger, double seconds);

    private abstract class WriteUnit(Durability durability, CancellationToken cancellationToken)
    {
        public Durability Durability { get; } = durability;

        /// <summary>The caller's; once cancelled, a unit whose turn has not come is skipped.</summary>
        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract bool IsCompleted { get; }

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);

        public abstract void Cancel();
    }

    private sealed class WriteUnit<T>(Func<SqliteConnection, SqliteTransaction, T> work, Durability durability, CancellationToken cancellationToken)
        : WriteUnit(durability, cancellationToken)
    {
        private T? result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool IsCompleted => Completion.Task.IsCompleted;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => result = work(connection, transaction);

        public override void Succeed() => Completion.TrySetResult(result!);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);

        public override void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }
}
