using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Azure.Core;
using FhirMmn.Fhir.Client;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.FhirServer;

/// <summary>
/// Makes the clients of the feeds' FHIR servers: Firely's client over the feed's named HttpClient handler chain (its
/// write-back rate limit, its authentication, resilience, and whatever a test adds), so that the chain's handlers are
/// pooled and renewed by the HttpClient factory while each client serves one caller. Each feed has its own chain,
/// token source and rate limiter: nothing of one feed's server connection is used for another's.
/// </summary>
public sealed class FhirServerClients(FeedRegistry feeds, IHttpMessageHandlerFactory handlers, IHttpClientFactory clients, TimeProvider clock, Func<Feed, TokenCredential> entra) : IDisposable
{
    private readonly ConcurrentDictionary<string, AccessTokenSource> tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimiter?> limiters = new(StringComparer.Ordinal);

    /// <summary>The feed of the single-feed keys, when the service runs one (null with Feeds:{name} blocks).</summary>
    public Feed? SingleFeed => feeds.All.FirstOrDefault(f => f.FromSingleFeedKeys);

    /// <summary>Whether the single feed has a FHIR server; without one, results go to the embedded store.</summary>
    public bool Configured => SingleFeed?.Server.BaseUrl is not null;

    /// <summary>A client of the single feed's server, for one caller; dispose it when done (the pooled handlers stay).</summary>
    public FhirServerClient Create() => Create(SingleFeed ?? throw new InvalidOperationException("Feeds are configured under Feeds; name the feed."));

    /// <summary>A client of the feed's server, for one caller.</summary>
    public FhirServerClient Create(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var url = feed.Server.BaseUrl ?? throw new InvalidOperationException("The feed has no FHIR server.");
        return new FhirServerClient(new Uri(url.ToString().TrimEnd('/') + "/"), handlers.CreateHandler(feed.ClientName));
    }

    /// <summary>The feed's token source, one for the life of the process (its token is kept across handler rotation).</summary>
    public AccessTokenSource TokenSource(Feed feed) => tokens.GetOrAdd(feed.Name, _ => AccessTokenSource.For(feed, clients, clock, entra));

    /// <summary>The feed's write-back rate limit (FhirServer:RequestsPerSecond, a token bucket refilled each second); null: none.</summary>
    public RateLimiter? Limiter(Feed feed) => limiters.GetOrAdd(feed.Name, _ => feed.Server.RequestsPerSecond <= 0
        ? null
        : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = feed.Server.RequestsPerSecond,
            TokensPerPeriod = feed.Server.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 4 * feed.Server.RequestsPerSecond,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));

    public void Dispose()
    {
        foreach (var source in tokens.Values.OfType<IDisposable>())
        {
            source.Dispose();
        }

        foreach (var limiter in limiters.Values)
        {
            limiter?.Dispose();
        }
    }
}

/// <summary>
/// Holds calls to the hospital's server to the feed's rate: a call waits for a permit (in order, a few seconds' worth
/// queued at most); past that it is answered 429 with Retry-After here, without reaching the server, so the message is
/// rescheduled like any throttled write-back.
/// </summary>
internal sealed class RateLimitHandler(RateLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { RequestMessage = request };
            throttled.Headers.TryAddWithoutValidation("Retry-After", Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            return throttled;
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

internal static class FhirServerRegistration
{
    /// <summary>
    /// The named HttpClient of each feed's FHIR server (rate limit, authentication, then resilience), and the clients
    /// made over them. The single feed's client keeps its name ("fhir-server"); a feed under Feeds is "fhir-server:{name}".
    /// </summary>
    public static IServiceCollection AddFhirServerClients(this IServiceCollection services, IConfiguration? configuration = null)
    {
        services.AddSingleton(provider => new FeedRegistry(
            provider.GetService<IConfiguration>(),
            provider.GetRequiredService<IOptions<FhirMmnOptions>>(),
            provider.GetRequiredService<IOptions<FhirServerOptions>>(),
            provider.GetService<IHostEnvironment>()));
        services.AddSingleton<Func<Feed, TokenCredential>>(AccessTokenSource.DefaultEntraCredential);
        services.AddHttpClient(OAuthTokenSource.TokenClient);
        var blocks = configuration?.GetSection(FeedOptions.Section).GetChildren().Select(c => c.Key).ToList() ?? [];
        Add(services, ServiceRegistration.FhirServerClient, registry => registry.All.FirstOrDefault(f => f.FromSingleFeedKeys));
        foreach (var name in blocks)
        {
            Add(services, Feed.ClientNameOf(name), registry => registry.Find(name));
        }

        services.AddSingleton<FhirServerClients>();
        return services;
    }

    private static void Add(IServiceCollection services, string clientName, Func<FeedRegistry, Feed?> feedOf)
    {
        Feed? FeedOf(IServiceProvider provider) => feedOf(provider.GetRequiredService<FeedRegistry>());
        services.AddHttpClient(clientName)
            .AddHttpMessageHandler(provider => FeedOf(provider) is { } feed && provider.GetRequiredService<FhirServerClients>().Limiter(feed) is { } limiter
                ? new RateLimitHandler(limiter)
                : new PassThroughHandler())
            .AddHttpMessageHandler(provider => FeedOf(provider) is { } feed
                ? new BearerTokenHandler(provider.GetRequiredService<FhirServerClients>().TokenSource(feed))
                : new PassThroughHandler())
            .AddResilienceHandler(FhirServerResilience.PipelineName, (pipeline, context) =>
                FhirServerResilience.Configure(pipeline, FeedOf(context.ServiceProvider)?.Server ?? new FhirServerOptions()));
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}
