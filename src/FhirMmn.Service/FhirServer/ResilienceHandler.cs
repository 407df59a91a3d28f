using System.Net;
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
/// Every write FhirMmn makes is conditional, so a retry never duplicates a resource.
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(async token => await base.SendAsync(request, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public static ResiliencePipeline<HttpResponseMessage> Pipeline(FhirServerOptions options, TimeProvider clock)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock };
        if (options.Attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = transient,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
                ShouldHandle = transient,
            })
            .AddTimeout(options.Timeout)
            .Build();
    }
}
