using System.Threading.Channels;
using FhirMmn.Service.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Storage;

/// <summary>
/// The embedded store and queue: one SQLite file in the data folder, WAL journal, synchronous=FULL, so a
/// committed write survives a crash or power loss. All writes go through one connection in group commits:
/// many units of work share one transaction and one fsync, each unit in its own savepoint so that a
/// failing unit fails alone. Reads use their own pooled connections.
/// </summary>
public sealed partial class Database : IAsyncDisposable
{
    private const int MaxUnitsPerCommit = 256;

    private readonly string connectionString;
    private readonly Channel<WriteUnit> units = Channel.CreateUnbounded<WriteUnit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection writer;
    private readonly Task writerLoop;
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

    /// <summary>Runs a unit of work in the next group commit; completes once it is durably committed.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken = default)
    {
        var unit = new WriteUnit<T>(work);
        ObjectDisposedException.ThrowIf(!units.Writer.TryWrite(unit), this);

        return unit.Completion.Task.WaitAsync(cancellationToken);
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, cancellationToken);

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

            Commit(batch);
            batch.Clear();
        }
    }

    private void Commit(List<WriteUnit> batch)
    {
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

    private abstract class WriteUnit
    {
        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteUnit<T>(Func<SqliteConnection, SqliteTransaction, T> work) : WriteUnit
    {
        private T? result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => result = work(connection, transaction);

        public override void Succeed() => Completion.TrySetResult(result!);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
