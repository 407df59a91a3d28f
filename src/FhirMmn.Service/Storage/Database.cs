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
    /// <summary>On disk (synchronous=FULL: the WAL is flushed at commit). For what the service promises, the 202 of the intake.</summary>
    Flushed,

    /// <summary>
    /// Committed and ordered, flushed with the next flushed commit or checkpoint (synchronous=NORMAL). For what the
    /// service re-derives when a power loss drops it: locks, settlements, merged evidence, written results. WAL
    /// frames are recovered strictly in order, so a later commit never survives without an earlier one.
    /// </summary>
    Ordered,
}

/// <summary>
/// The embedded store and queue: one SQLite file in the data folder, WAL journal. All writes go through one
/// connection in group commits: many units of work share one transaction and at most one flush, each unit in
/// its own savepoint so that a failing unit fails alone. A batch with a <see cref="Durability.Flushed"/> unit
/// commits with synchronous=FULL, which flushes every earlier commit too. Reads use their own pooled connections.
/// </summary>
public sealed partial class Database : IAsyncDisposable
{
    private const int MaxUnitsPerCommit = 256;

    private readonly string connectionString;
    private readonly Channel<WriteUnit> units = Channel.CreateUnbounded<WriteUnit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection writer;
    private readonly Task writerLoop;
    private readonly ILogger<Database> logger;
    private bool synchronousFull = true;

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
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = ON;
            PRAGMA busy_timeout = 30000;
            """);
        Schema.Create(writer);
        writerLoop = Task.Run(WriteLoop);
    }

    public string FilePath { get; }

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
        while (await units.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxUnitsPerCommit && units.Reader.TryRead(out var unit))
            {
                batch.Add(unit);
            }

            // Units that need no flush commit on their own first, so that they never wait for one.
            var ordered = batch.FindAll(u => u.Durability == Durability.Ordered);
            var flushed = batch.FindAll(u => u.Durability == Durability.Flushed);
            if (ordered.Count > 0)
            {
                Commit(ordered, flush: false);
            }

            if (flushed.Count > 0)
            {
                Commit(flushed, flush: true);
            }

            batch.Clear();
        }
    }

    private void Commit(List<WriteUnit> batch, bool flush)
    {
        try
        {
            if (flush != synchronousFull)
            {
                Execute(writer, flush ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
                synchronousFull = flush;
            }

            using var transaction = writer.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = $"u{i}";
                transaction.Save(savepoint);
                try
                {
                    batch[i].Run(writer, transaction);
                    transaction.Release(savepoint);
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
        }
#pragma warning disable CA1031 // A failed commit fails every unit in it; the loop goes on with the next batch.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCommitFailed(logger, batch.Count, e.GetType().Name);
            foreach (var unit in batch)
            {
                unit.Fail(e);
            }

            return;
        }

        foreach (var unit in batch)
        {
            unit.Succeed();
        }
    }

    public async ValueTask DisposeAsync()
    {
        units.Writer.TryComplete();
        await writerLoop.ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit of {Units} units failed ({ExceptionType})")]
    private static partial void LogCommitFailed(ILogger logger, int units, string exceptionType);

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
