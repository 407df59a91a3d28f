using System.Net;
using FhirMmn.Fhir.Client;
using FhirMmn.Service.Hosting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace FhirMmn.Service.FhirServer;

/// <summary>
/// Calls to the FHIR server through a Polly pipeline: a few quick retries with exponential backoff and jitter
/// on 5xx, 408 and timeouts; a circuit breaker that stops calling a failing server; a timeout per attempt.
/// 429 is not retried here: the message is rescheduled after Retry-After, so that an overloaded server gets air.
/// A transaction (POST) is retried only when the failure says it was not applied (no connection made, or the server's
/// own 500 or 503): after a lost answer or a timeout it may have been, and sending it again blind would write another
/// version; the caller reads the server first instead (<see cref="FhirMmn.Fhir.Client.FhirServerException.OutcomeUnknown"/>).
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<bool> Idempotent = new("FhirMmn.Idempotent");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(Idempotent, request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
            return await pipeline.ExecuteAsync(
                async (ctx, state) => await state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    /// <summary>Whether a failed attempt may be sent again as it is.</summary>
    internal static bool MayRetry(Outcome<HttpResponseMessage> outcome, bool idempotent)
    {
        if (!IsTransient(outcome))
        {
            return false;
        }

        return idempotent || outcome.Exception switch
        {
            HttpRequestException e => FailedCalls.NeverSent(e),
            null => FailedCalls.NotApplied(outcome.Result!.StatusCode),
            _ => false,
        };
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        null => outcome.Result is { } r && ((int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout),
        _ => false,
    };

    public static ResiliencePipeline<HttpResponseMessage> Pipeline(FhirServerOptions options, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (options.Attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = args => ValueTask.FromResult(MayRetry(args.Outcome, args.Context.Properties.GetValue(Idempotent, true))),
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .AddTimeout(options.Timeout)
            .Build();
    }
}
