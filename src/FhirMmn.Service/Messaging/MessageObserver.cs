using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// What operations keep of each settlement: a step in the message's history (<see cref="MessageLedger"/>) and the
/// meters (<see cref="ServiceMetrics"/>). Called by the consumer after the transport settled a message (nothing is
/// recorded for a settlement that lost its lock). A history step the store cannot take is logged and skipped: the
/// message's own state is what counts.
/// </summary>
internal sealed partial class MessageObserver(MessageLedger ledger, ServiceMetrics metrics, ILogger<MessageObserver> logger)
{
    public const string Completed = "completed";
    public const string Rescheduled = "rescheduled";
    public const string Released = "released";
    public const string DeadLettered = "dead-lettered";
    public const string Resubmitted = "resubmitted";

    public Task CompletedAsync(QueueMessage message, bool settled, string? category, int resourcesWritten)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!settled)
        {
            return Task.CompletedTask;
        }

        metrics.Completed(message, category, resourcesWritten);
        return RecordAsync(message.Id, Completed, message.Attempts, []);
    }

    /// <summary>A transient failure or a stop: the message comes again at its due time, this delivery not counted.</summary>
    public Task RescheduledAsync(QueueMessage message, bool settled, string issueCode)
    {
        ArgumentNullException.ThrowIfNull(message);
        return settled ? RecordAsync(message.Id, Rescheduled, message.Attempts, [issueCode]) : Task.CompletedTask;
    }

    /// <summary>An unexpected error: released for another delivery, which counts.</summary>
    public Task ReleasedAsync(QueueMessage message, bool settled, string issueCode)
    {
        ArgumentNullException.ThrowIfNull(message);
        return settled ? RecordAsync(message.Id, Released, message.Attempts, [issueCode]) : Task.CompletedTask;
    }

    public Task DeadLetteredAsync(QueueMessage message, bool settled, IEnumerable<string> issueCodes)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!settled)
        {
            return Task.CompletedTask;
        }

        metrics.DeadLettered(message.Feed);
        return RecordAsync(message.Id, DeadLettered, message.Attempts, issueCodes);
    }

    public Task ResubmittedAsync(string id) => RecordAsync(id, Resubmitted, 0, []);

    private async Task RecordAsync(string id, string step, int attempt, IEnumerable<string> codes)
    {
        try
        {
            await ledger.RecordAsync(id, step, attempt, codes, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoreUnavailableException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogNotRecorded(logger, step, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Step} step of a message's history was not recorded ({ExceptionType})")]
    private static partial void LogNotRecorded(ILogger logger, string step, string exceptionType);
}
