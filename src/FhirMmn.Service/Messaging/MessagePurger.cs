using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// Deletes completed messages once <see cref="FhirMmnOptions.MessageRetention"/> has passed since they completed, at
/// start and then every <see cref="Interval"/>, so that the store does not grow with every bundle ever received. It
/// deletes in small batches, each its own commit, so that the intake and the consumer never wait long behind it.
/// </summary>
internal sealed partial class MessagePurger(
    SqliteTransport transport,
    TimeProvider clock,
    IOptions<FhirMmnOptions> options,
    ILogger<MessagePurger> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next round tries again; the store only grows meanwhile.
                LogFailed(logger, e.GetType().Name);
            }

            await Task.Delay(Interval, clock, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round: every message completed before now minus the retention; returns how many were deleted.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - options.Value.MessageRetention;
        var total = 0;
        int deleted;
        do
        {
            deleted = await transport.PurgeCompletedAsync(before, Batch, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == Batch);

        if (total > 0)
        {
            LogPurged(logger, total, options.Value.MessageRetention);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} messages completed more than {Retention} ago")]
    private static partial void LogPurged(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting old completed messages failed ({Error}); trying again later")]
    private static partial void LogFailed(ILogger logger, string error);
}
