using System.Diagnostics;
using System.Diagnostics.Metrics;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// OpenTelemetry: the meter and the activity source "FhirMmn", ASP.NET Core and HttpClient instrumentation, a
/// Prometheus scrape endpoint at /metrics, and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. One trace runs from the
/// intake through the queue (the intake's traceparent is stored with the message) to the write-back. Labels and
/// span attributes carry feeds, codes, categories and message ids, never patient data; query strings and paths
/// are left out of spans (the route template stands in for the path).
/// </summary>
internal static class Telemetry
{
    public const string Name = "FhirMmn";

    /// <summary>The role a token needs for /metrics when tokens are required (Security:MetricsRole).</summary>
    public const string MetricsPolicy = "metrics";

    public static readonly ActivitySource Source = new(Name, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The W3C traceparent of the current activity, to be stored with a message; null outside a trace.</summary>
    public static string? TraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The span of one processing attempt of a message, a child of the intake's span when the message carries one.</summary>
    public static Activity? StartProcessing(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ActivityContext.TryParse(message.TraceParent, null, out var parent);
        var activity = Source.StartActivity("process message", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.message.id", message.Id);
        activity?.SetTag("messaging.message.delivery_count", message.DeliveryCount);
        activity?.SetTag("fhirmmn.feed", message.Feed);
        return activity;
    }

    public static WebApplicationBuilder AddFhirMmnTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton<ServiceMetrics>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("fhirmmn", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddSource(Name)
                    .AddAspNetCoreInstrumentation(aspnet =>
                    {
                        aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/metrics");
                        aspnet.EnrichWithHttpRequest = (activity, request) => Redact(activity, RouteOf(request.HttpContext));
                        aspnet.EnrichWithHttpResponse = (activity, response) => Redact(activity, RouteOf(response.HttpContext));
                    })
                    .AddHttpClientInstrumentation(http =>
                    {
                        http.EnrichWithHttpRequestMessage = (activity, request) => Redact(activity, null);
                        http.EnrichWithHttpResponseMessage = (activity, response) => Redact(activity, null);
                    });
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        _ = telemetry;
        return builder;
    }

    public static void MapMetrics(IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(MetricsPolicy);

    private static string? RouteOf(HttpContext context) => (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;

    /// <summary>
    /// No query string and no path in a span: they can carry identifiers (a search by subject, a conditional
    /// reference). The server spans keep the route template; the client spans keep scheme, host and port.
    /// </summary>
    private static void Redact(Activity activity, string? route)
    {
        activity.SetTag("url.query", null);
        if (activity.Kind == ActivityKind.Server)
        {
            activity.SetTag("url.path", route ?? "(unrouted)");
            activity.SetTag("http.target", null);
            if (route is not null)
            {
                activity.DisplayName = $"{activity.GetTagItem("http.request.method")} {route}";
            }
        }
        else if (activity.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var url))
        {
            activity.SetTag("url.full", url.GetLeftPart(UriPartial.Authority) + "/");
            activity.SetTag("url.path", null);
        }
    }
}

/// <summary>
/// The service's own instruments, per feed (DESIGN: metrics carry no patient data: feeds, HTTP statuses, FHIR issue
/// codes, categories, reasons). The queue gauges read the store, at most every two seconds.
/// </summary>
internal sealed class ServiceMetrics
{
    public static readonly string[] RescheduleReasons = ["429", "5xx", "outage"];

    private static readonly TimeSpan SnapshotAge = TimeSpan.FromSeconds(2);

    private readonly Counter<long> received;
    private readonly Counter<long> refused;
    private readonly Counter<long> assessed;
    private readonly Counter<long> written;
    private readonly Counter<long> rescheduled;
    private readonly Counter<long> deadLettered;
    private readonly Histogram<double> intakeDuration;
    private readonly Histogram<double> intakeToWritten;
    private readonly MessageLedger ledger;
    private readonly TimeProvider clock;
    private readonly string feed;
    private readonly Lock gate = new();
    private (long? At, IReadOnlyList<QueueSnapshot> Feeds) snapshot = (null, []);

    public ServiceMetrics(IMeterFactory meters, MessageLedger ledger, TimeProvider clock, IOptions<FhirMmnOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(options);
        this.ledger = ledger;
        this.clock = clock;
        feed = options.Value.Feed;
        var meter = meters.Create(Telemetry.Name);
        received = meter.CreateCounter<long>("fhirmmn.bundles.received", "{bundle}", "Bundles taken in and stored (HTTP 202).");
        refused = meter.CreateCounter<long>("fhirmmn.bundles.refused", "{bundle}", "Bundles refused at intake, by HTTP status and FHIR issue code.");
        assessed = meter.CreateCounter<long>("fhirmmn.bundles.assessed", "{bundle}", "Messages assessed, by the category written.");
        written = meter.CreateCounter<long>("fhirmmn.bundles.written", "{bundle}", "Messages whose write-back wrote resources.");
        rescheduled = meter.CreateCounter<long>("fhirmmn.bundles.rescheduled", "{bundle}", "Messages rescheduled after a transient failure, by reason (429, 5xx, outage).");
        deadLettered = meter.CreateCounter<long>("fhirmmn.bundles.dead_lettered", "{bundle}", "Messages dead-lettered.");
        intakeDuration = meter.CreateHistogram<double>("fhirmmn.intake.duration", "s", "From the request's body read to the 202 (stored and flushed).");
        intakeToWritten = meter.CreateHistogram<double>("fhirmmn.intake_to_written.duration", "s", "From the intake to the write-back's completion.");
        meter.CreateObservableGauge("fhirmmn.queue.depth", () => Snapshot().Select(s => new Measurement<long>(s.Waiting, Feed(s.Feed))),
            "{message}", "Messages waiting (queued or being processed).");
        meter.CreateObservableGauge("fhirmmn.queue.oldest_age", () => Snapshot().Select(s => new Measurement<double>(s.OldestAge.TotalSeconds, Feed(s.Feed))),
            "s", "Age of the oldest waiting message (0 when none waits).");
        meter.CreateObservableGauge("fhirmmn.messages.dead_lettered", () => Snapshot().Select(s => new Measurement<long>(s.DeadLettered, Feed(s.Feed))),
            "{message}", "Dead-lettered messages kept, waiting for an operator.");

        // Every series the alerts read exists from the start, at zero, so that increase() sees the first event.
        deadLettered.Add(0, Feed(feed));
        foreach (var reason in RescheduleReasons)
        {
            rescheduled.Add(0, Feed(feed), new("reason", reason));
        }
    }

    public void Received(string feedName, TimeSpan elapsed)
    {
        received.Add(1, Feed(feedName));
        intakeDuration.Record(elapsed.TotalSeconds, Feed(feedName));
    }

    public void Refused(string feedName, int status, string issueCode) =>
        refused.Add(1, Feed(feedName), new("status", status), new("issue_code", issueCode));

    public void Completed(QueueMessage message, string? category, int resourcesWritten)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (category is not null)
        {
            assessed.Add(1, Feed(message.Feed), new("category", category));
        }

        if (resourcesWritten > 0)
        {
            written.Add(1, Feed(message.Feed));
            if (MessageIds.CreatedAt(message.Id) is { } created)
            {
                intakeToWritten.Record(Math.Max(0, (clock.GetUtcNow() - created).TotalSeconds), Feed(message.Feed));
            }
        }
    }

    /// <summary>A transient failure of the write-back: HTTP 429, a 5xx, or no answer (down, timeout, circuit open).</summary>
    public void Rescheduled(string feedName, int statusCode) =>
        rescheduled.Add(1, Feed(feedName), new("reason", statusCode == 429 ? "429" : statusCode >= 500 ? "5xx" : "outage"));

    public void DeadLettered(string feedName) => deadLettered.Add(1, Feed(feedName));

    private static KeyValuePair<string, object?> Feed(string name) => new("feed", name);

    private IReadOnlyList<QueueSnapshot> Snapshot()
    {
        lock (gate)
        {
            var now = Environment.TickCount64;
            if (snapshot.At is not { } at || now - at > SnapshotAge.TotalMilliseconds)
            {
                try
                {
                    var feeds = ledger.Queues(clock.GetUtcNow()).ToList();
                    if (feeds.All(f => f.Feed != feed))
                    {
                        feeds.Add(new QueueSnapshot(feed, 0, 0, 0, TimeSpan.Zero));
                    }

                    snapshot = (now, feeds);
                }
                catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or StoreUnavailableException)
                {
                    // A store that cannot be read (readiness reports it) leaves the gauges at their last values.
                    snapshot = (now, snapshot.Feeds);
                }
            }

            return snapshot.Feeds;
        }
    }
}
