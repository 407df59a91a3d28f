using System.Threading.Channels;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Features.AssessPatient;
using FhirMmn.Service.Hosting;
using MediatR;
using Microsoft.Extensions.Options;
using Serilog.Context;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// Takes messages from the transport (as many again as there are workers ahead, their locks renewed while they
/// wait) and has each assessed, <see cref="FhirMmnOptions.Concurrency"/> at a time, then settles it explicitly: complete after the write-back, reschedule a transient failure (not a
/// delivery), dead-letter a refusal with its OperationOutcome, abandon an unexpected error (a delivery).
/// A message delivered more than <see cref="FhirMmnOptions.MaxDeliveries"/> times is dead-lettered.
/// </summary>
internal sealed partial class QueueConsumer(
    IMessageTransport transport,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<FhirMmnOptions> options,
    MessageObserver observer,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a stop waits for the workers to settle what they hold (a worker cancelled mid-message reschedules it).
    /// A store or a server that does not answer must not hold the shutdown past the host's timeout: the messages of
    /// workers still waiting then keep their locks, which expire, and are delivered again at the next start.
    /// </summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Up to as many messages again as there are workers are taken ahead (locked, waiting in the channel), so a
        // worker that settles one starts on the next at once instead of waiting for a receive: with the null sink the
        // consumer spent more time waiting for the store's round trips than working.
        var concurrency = options.Value.Concurrency;
        var inFlight = 2 * concurrency;
        var work = Channel.CreateBounded<Lease>(inFlight);
        var free = new SemaphoreSlim(inFlight, inFlight);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => Work(work.Reader, free, stoppingToken), CancellationToken.None)).ToList();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await free.WaitAsync(stoppingToken).ConfigureAwait(false);
                var slots = 1;
                while (slots < inFlight && free.Wait(0, CancellationToken.None))
                {
                    slots++;
                }

                IReadOnlyList<QueueMessage> messages;
                try
                {
                    messages = await transport.ReceiveAsync(slots, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReceiveFailed(logger, e.GetType().Name);
                    messages = [];
                }

                if (slots - messages.Count is var unused and > 0)
                {
                    free.Release(unused);
                }
                foreach (var message in messages)
                {
                    // Renewed from the moment it is taken, so a message that waits behind slow write-backs keeps its lock.
                    var renewal = new Timer(_ => _ = transport.RenewLockAsync(message, CancellationToken.None), null, options.Value.LockDuration / 3, options.Value.LockDuration / 3);
                    if (!work.Writer.TryWrite(new Lease(message, renewal)))
                    {
                        await renewal.DisposeAsync().ConfigureAwait(false);
                        throw new InvalidOperationException("The consumer's channel is full although a slot was free.");
                    }
                }

                if (messages.Count == 0)
                {
                    await transport.WaitForMessagesAsync(IdlePoll, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            work.Writer.TryComplete();
            await StopWorkersAsync(workers, free).ConfigureAwait(false);
        }
    }

    private async Task StopWorkersAsync(List<Task> workers, SemaphoreSlim free)
    {
        try
        {
            await Task.WhenAll(workers).WaitAsync(StopGrace).ConfigureAwait(false);
            free.Dispose();
        }
        catch (TimeoutException)
        {
            // The semaphore stays: a worker that comes back later still releases its slot.
            LogStopTimedOut(logger, workers.Count(w => !w.IsCompleted), StopGrace.TotalSeconds);
        }
    }

    private async Task Work(ChannelReader<Lease> leases, SemaphoreSlim free, CancellationToken stoppingToken)
    {
        await foreach (var lease in leases.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await ProcessAsync(lease.Message, stoppingToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A settlement the store could not take must not end the worker: the lock expires and the message comes again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogSettleFailed(logger, e.GetType().Name);
            }
            finally
            {
                await lease.Renewal.DisposeAsync().ConfigureAwait(false);
                free.Release();
            }
        }
    }

    /// <summary>A message taken from the transport, with the timer that renews its lock until it is settled.</summary>
    private sealed record Lease(QueueMessage Message, Timer Renewal);

    internal async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        using var correlation = LogContext.PushProperty("CorrelationId", message.CorrelationId);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["MessageId"] = message.Id, ["DeliveryCount"] = message.DeliveryCount });
        using var activity = Telemetry.StartProcessing(message);
        var settle = CancellationToken.None;
        if (message.DeliveryCount > options.Value.MaxDeliveries)
        {
            LogDeliveryLimit(logger, message.DeliveryCount);
            var outcome = OperationOutcomes.Of(IssueCodes.Exception,
                $"The message failed {message.DeliveryCount - 1} deliveries (a crash or an unexpected error each time) and is dead-lettered; the service's logs name the error type.",
                message.CorrelationId);
            await observer.DeadLetteredAsync(message, await transport.DeadLetterAsync(message, FhirJson.Serialize(outcome), settle).ConfigureAwait(false),
                [IssueCodes.Exception]).ConfigureAwait(false);
            return;
        }

        AssessmentOutcome result;
        try
        {
            using var handlerScope = scopes.CreateScope();
            var mediator = handlerScope.ServiceProvider.GetRequiredService<IMediator>();
            result = await mediator.Send(new AssessPatient(message), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down is not the message's fault: release it for the next start, not counted.
            await observer.RescheduledAsync(message, await transport.RescheduleAsync(message, clock.GetUtcNow(), IssueCodes.Incomplete, settle).ConfigureAwait(false),
                IssueCodes.Incomplete).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // Any other failure is the message's delivery; it is counted and retried until the limit.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogUnexpected(logger, e.GetType().Name, message.DeliveryCount);
            await observer.ReleasedAsync(message, await transport.AbandonAsync(message, clock.GetUtcNow() + Backoff.Delay(message.DeliveryCount, options.Value), IssueCodes.Exception, settle).ConfigureAwait(false),
                IssueCodes.Exception).ConfigureAwait(false);
            return;
        }

        switch (result)
        {
            case AssessmentOutcome.Completed completed:
                bool settled;
                using (completed.PatientLock)
                {
                    settled = await transport.CompleteAsync(message, completed.Written, completed.Record, settle).ConfigureAwait(false);
                }

                await observer.CompletedAsync(message, settled, completed.Category, completed.Written.Count).ConfigureAwait(false);

                LogCompleted(logger, completed.Written.Count, completed.Category ?? "unchanged");
                break;
            case AssessmentOutcome.Refused refused:
                await observer.DeadLetteredAsync(message, await transport.DeadLetterAsync(message, FhirJson.Serialize(refused.Outcome), settle).ConfigureAwait(false),
                    refused.Outcome.Issue.Select(i => i.Code)).ConfigureAwait(false);
                LogDeadLettered(logger, string.Join(",", refused.Outcome.Issue.Select(i => i.Code).Distinct()));
                break;
            case AssessmentOutcome.Retry retry:
                var delay = retry.After ?? Backoff.Delay(message.Attempts, options.Value);
                await observer.RescheduledAsync(message, await transport.RescheduleAsync(message, clock.GetUtcNow() + delay, retry.IssueCode, settle).ConfigureAwait(false),
                    retry.IssueCode).ConfigureAwait(false);
                LogRescheduled(logger, retry.IssueCode, delay.TotalSeconds);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message completed: {ResourceCount} resources written, category {Category}")]
    private static partial void LogCompleted(ILogger logger, int resourceCount, string category);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message dead-lettered ({IssueCodes})")]
    private static partial void LogDeadLettered(ILogger logger, string issueCodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message rescheduled ({IssueCode}) in {DelaySeconds:0.0} s")]
    private static partial void LogRescheduled(ILogger logger, string issueCode, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message failed with {ExceptionType} on delivery {DeliveryCount}; released for another delivery")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message delivered {DeliveryCount} times without settling; dead-lettered")]
    private static partial void LogDeliveryLimit(ILogger logger, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling a message failed ({ExceptionType}); it is delivered again when its lock expires")]
    private static partial void LogSettleFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Workers} workers had not settled their messages {Seconds} s after the stop; their locks expire and the messages are delivered again")]
    private static partial void LogStopTimedOut(ILogger logger, int workers, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving from the queue failed ({ExceptionType})")]
    private static partial void LogReceiveFailed(ILogger logger, string exceptionType);
}

/// <summary>A growing delay, capped, with jitter, so that many rescheduled messages do not return at once.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, FhirMmnOptions options)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 20);
        var ceiling = Math.Min(options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), options.RetryMaxDelay.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
#pragma warning restore CA5394
    }
}
