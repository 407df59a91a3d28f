using System.Net;
using FhirMmn.Fhir.Client;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace FhirMmn.Service.FhirServer;

/// <summary>
/// The resilience of the calls to the FHIR server: a Microsoft.Extensions.Http.Resilience handler on the named client,
/// built from its strategies in this order: a few quick retries with exponential backoff and jitter, a circuit breaker
/// that stops calling a failing server, and a timeout per attempt (FhirServer:Timeout).
/// 429 is not retried here: the message is rescheduled after Retry-After, so that an overloaded server gets air.
/// Which failures are retried is FhirMmn's own rule, a Polly.Core predicate: the library's predicates
/// (HttpClientResiliencePredicates.IsTransient, DisableForUnsafeHttpMethods) either send a POST again on every
/// transient failure or never. A transaction is sent again only when the failure shows it was not applied (no
/// connection made, or the server's own 500, 501 or 503): after a lost answer, a timeout or a gateway's 502 or 504 it
/// may have been, and sending it again blind would write another version; the caller reads the server first instead
/// (<see cref="FhirServerException.OutcomeUnknown"/>). Reads are sent again on any transient failure.
/// </summary>
internal static class FhirServerResilience
{
    public const string PipelineName = "fhir-server";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, FhirServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Attempts > 1)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(MayRetry(args.Outcome, IsIdempotent(args.Context.GetRequestMessage()))),
            });
        }

        pipeline
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.Timeout });
    }

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

    /// <summary>A GET or HEAD changes nothing; every other call (the transaction is a POST) may have, and so may one not known.</summary>
    private static bool IsIdempotent(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        null => outcome.Result is { } r && ((int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.RequestTimeout),
        _ => false,
    };
}
