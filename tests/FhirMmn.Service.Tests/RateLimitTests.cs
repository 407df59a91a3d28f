using System.Net;
using System.Threading.RateLimiting;
using FhirMmn.Service.FhirServer;

namespace FhirMmn.Service.Tests;

/// <summary>The write-back rate limit in front of a feed's FHIR server: past the permits a call never reaches the server.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_call_past_the_feeds_permits_is_answered_429_with_retry_after_without_reaching_the_server()
    {
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2,
            TokensPerPeriod = 2,
            ReplenishmentPeriod = TimeSpan.FromHours(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        var server = new CountingServer();
        using var handler = new RateLimitHandler(limiter) { InnerHandler = server };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://fhir.invalid/") };

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await client.GetAsync(new Uri("metadata", UriKind.Relative)));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.Equal(2, server.Calls);
        Assert.True(answers[2].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        answers.ForEach(a => a.Dispose());
    }

    private sealed class CountingServer : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
