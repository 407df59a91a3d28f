using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace FhirMmn.Benchmarks.Load;

/// <summary>A message: the service's own times (Unix ms), how often it was tried, whether it wrote any resource.</summary>
internal sealed record MessageRow(long ReceivedAt, long? CompletedAt, string State, int DeliveryCount, int Attempts, bool Wrote);

/// <summary>
/// The service's <c>messages</c> table, read-only (the file is in WAL mode, so reading does not block the
/// service's writer): when messages are settled, and their intake-to-written times. One query at a time,
/// ten a second at most, instead of one HTTP call per message.
/// </summary>
internal sealed class MessageTable(string databasePath)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly string connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>The newest message's sequence: later messages are the ones a scenario sends.</summary>
    public long LastSequence() => Scalar("SELECT coalesce(max(sequence), 0) FROM messages", 0);

    /// <summary>Waits until <paramref name="expected"/> messages after <paramref name="after"/> are settled; fails when none settles for <paramref name="stall"/>.</summary>
    public async Task WaitSettledAsync(long after, int expected, TimeSpan stall, CancellationToken cancellationToken)
    {
        var settled = -1L;
        var progressAt = Stopwatch.GetTimestamp();
        while (true)
        {
            var now = Scalar("SELECT count(*) FROM messages WHERE sequence > $after AND state IN ('completed', 'dead-lettered')", after);
            if (now >= expected)
            {
                return;
            }

            if (now != settled)
            {
                (settled, progressAt) = (now, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(progressAt) > stall)
            {
                throw new LoadFailedException($"Only {now} of {expected} messages settled, none more in {stall.TotalSeconds} s.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public IReadOnlyList<MessageRow> Read(long after)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT received_at, completed_at, state, delivery_count, attempts, coalesce(written, '[]') <> '[]' FROM messages WHERE sequence > $after ORDER BY sequence";
        command.Parameters.AddWithValue("$after", after);
        using var reader = command.ExecuteReader();
        var rows = new List<MessageRow>();
        while (reader.Read())
        {
            rows.Add(new MessageRow(
                reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetBoolean(5)));
        }

        return rows;
    }

    private long Scalar(string sql, long after)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$after", after);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}
