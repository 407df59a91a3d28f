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

/// <summary>
/// The embedded store and queue: one SQLite file in the data folder, WAL journal. All writes go through one
/// connection in group commits: many units of work share one transaction, each unit in its own savepoint so that
/// a failing unit fails alone. Commits do not wait for the disk (synchronous=NORMAL); a flusher fsyncs the WAL
/// after them, one fsync for every commit made meanwhile, and only then completes the
/// <see cref="Durability.Flushed"/> units. So the writer goes on committing while the disk flushes (an fsync takes
/// milliseconds here, and the queue's receives and settlements used to wait behind it). This is as durable as
/// synchronous=FULL for those units: their frames are written before the fsync starts, and a checkpoint that
/// moves them into the database file first syncs the WAL and then the database. Reads use their own pooled connections.
/// </summary>
public sealed partial class Database : IAsyncDisposable
{
    private const int MaxUnitsPerCommit = 256;

    private readonly string connectionString;
    private readonly Channel<WriteUnit> units = Channel.CreateUnbounded<WriteUnit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection writer;
    private readonly Task writerLoop;
    private readonly Channel<List<WriteUnit>> pendingFlush = Channel.CreateUnbounded<List<WriteUnit>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task flushLoop;
    private readonly ILogger<Database> logger;

    public Database(IOptions<FhirMmnOptions> options, IHostEnvironment environment, ILogger<Database> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        this.logger = logger;
        var folder = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        FilePath = Path.Combine(folder, "fhirmmn.db");
        connectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        writer = new SqliteConnection(connectionString);
        writer.Open();
        Execute(writer, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            PRAGMA busy_timeout = 30000;
            """);
        Schema.Create(writer);
        writerLoop = Task.Run(WriteLoop);
        flushLoop = Task.Run(FlushLoop);
    }

    public string FilePath { get; }

    /// <summary>Set for good when an fsync failed: flushed writes fail from then on, and readiness reports it.</summary>
    public bool FlushFailed { get; private set; }

    /// <summary>A connection for reading; the caller disposes it.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    /// <summary>Runs a unit of work in the next group commit; completes once it is committed as durably as asked.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, Durability durability, CancellationToken cancellationToken = default)
    {
        var unit = new WriteUnit<T>(work, durability);
        ObjectDisposedException.ThrowIf(!units.Writer.TryWrite(unit), this);

        return unit.Completion.Task.WaitAsync(cancellationToken);
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

    private async Task WriteLoop()
    {
        var batch = new List<WriteUnit>(MaxUnitsPerCommit);
        try
        {
            while (await units.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxUnitsPerCommit && units.Reader.TryRead(out var unit))
                {
                    batch.Add(unit);
                }

                var committed = Commit(batch);
                var flushed = committed.FindAll(u => u.Durability == Durability.Flushed);
                foreach (var unit in committed.Where(u => u.Durability == Durability.Ordered))
                {
                    unit.Succeed();
                }

                if (flushed.Count > 0)
                {
                    pendingFlush.Writer.TryWrite(flushed);
                }

                batch.Clear();
            }
        }
        finally
        {
            pendingFlush.Writer.TryComplete();
        }
    }

    /// <summary>Runs the batch in one transaction; returns the units that committed (failed ones are failed already).</summary>
    private List<WriteUnit> Commit(List<WriteUnit> batch)
    {
        var committed = new List<WriteUnit>(batch.Count);
        try
        {
            using var transaction = writer.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = $"u{i}";
                transaction.Save(savepoint);
                try
                {
                    batch[i].Run(writer, transaction);
                    transaction.Release(savepoint);
                    committed.Add(batch[i]);
                }
#pragma warning disable CA1031 // One failing unit must not take the others of the group commit with it; its caller gets the exception.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    transaction.Rollback(savepoint);
                    transaction.Release(savepoint);
                    batch[i].Fail(e);
                }
            }

            transaction.Commit();
            return committed;
        }
#pragma warning disable CA1031 // A failed commit fails every unit in it; the loop goes on with the next batch.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCommitFailed(logger, batch.Count, e.GetType().Name);
            foreach (var unit in committed)
            {
                unit.Fail(e);
            }

            return [];
        }
    }

    /// <summary>
    /// Flushes the WAL for the flushed units committed so far, many commits to one fsync, and completes them. The WAL
    /// is held open for the life of the store (closing another descriptor of a file SQLite uses could drop its locks).
    /// </summary>
    private async Task FlushLoop()
    {
        var waiting = new List<WriteUnit>();
        FileStream? wal = null;
        try
        {
            while (await pendingFlush.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (pendingFlush.Reader.TryRead(out var committed))
                {
                    waiting.AddRange(committed);
                }

                try
                {
                    if (FlushFailed)
                    {
                        throw new IOException("The store could not flush its log to disk earlier; restart the service.");
                    }

                    wal ??= new FileStream(FilePath + "-wal", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                    wal.Flush(flushToDisk: true);
                }
#pragma warning disable CA1031 // The units are failed with the reason, and so is every later flushed unit.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    // After a failed fsync the kernel may have dropped the pages it could not write, so a later
                    // fsync proves nothing: no more promises from this store until it is restarted (and recovered).
                    if (!FlushFailed)
                    {
                        FlushFailed = true;
                        var type = e.GetType().Name;
                        LogFlushFailed(logger, waiting.Count, type);
                    }

                    foreach (var unit in waiting)
                    {
                        unit.Fail(e);
                    }

                    waiting.Clear();
                    continue;
                }

                foreach (var unit in waiting)
                {
                    unit.Succeed();
                }

                waiting.Clear();
            }
        }
        finally
        {
            if (wal is not null)
            {
                await wal.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        units.Writer.TryComplete();
        await writerLoop.ConfigureAwait(false);
        await flushLoop.ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit of {Units} units failed ({ExceptionType})")]
    private static partial void LogCommitFailed(ILogger logger, int units, string exceptionType);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Flushing the store's log to disk failed for {Units} units ({ExceptionType})")]
    private static partial void LogFlushFailed(ILogger logger, int units, string exceptionType);

    private abstract class WriteUnit(Durability durability)
    {
        public Durability Durability { get; } = durability;

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteUnit<T>(Func<SqliteConnection, SqliteTransaction, T> work, Durability durability) : WriteUnit(durability)
    {
        private T? result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => result = work(connection, transaction);

        public override void Succeed() => Completion.TrySetResult(result!);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
