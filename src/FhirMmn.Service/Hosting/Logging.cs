using System.Diagnostics;
using Serilog;
using Serilog.Formatting.Json;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// Serilog, configured from the "Serilog" section (levels, extra sinks), with the correlation id from the
/// log context. JSON lines on the console, plain text in development. No patient data: log templates are
/// constants and carry ids, counts, codes and times only (STYLE.md).
/// </summary>
internal static partial class Logging
{
    private static readonly string[] UrlLoggingCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Http",
        "System.Net.Http.HttpClient",
        "Polly",
    ];

    public static void AddFhirMmnLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.With<DropRequestPath>()
            .Enrich.WithProperty("Service", "FhirMmn");
        configuration = builder.Environment.IsDevelopment()
            ? configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj} {Properties:j}{NewLine}{Exception}")
            : configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);

        // These framework categories log whole URLs, query strings included (?subject=Patient/...), below
        // Warning. They stay quiet whatever the configuration says; FhirMmn logs each request itself.
        foreach (var category in UrlLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
    }

    /// <summary>One line per request: method, route template (never the path or query, which carry ids), status, time.</summary>
    public static async Task RequestMiddleware(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FhirMmn.Http");
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var status = context.Response.StatusCode;
            var level = status >= 500 ? LogLevel.Warning : status >= 400 ? LogLevel.Information : LogLevel.Debug;
            LogRequest(logger, level, context.Request.Method, route, status, elapsed);
        }
    }

    /// <summary>ASP.NET Core's request scope carries the path; paths can carry ids, so it stays out of the logs.</summary>
    private sealed class DropRequestPath : Serilog.Core.ILogEventEnricher
    {
        public void Enrich(Serilog.Events.LogEvent logEvent, Serilog.Core.ILogEventPropertyFactory propertyFactory) =>
            logEvent.RemovePropertyIfPresent("RequestPath");
    }

    /// <summary>Successful requests at Debug (every message's completion is logged once, at Information); refusals and failures above.</summary>
    [LoggerMessage(Message = "HTTP {Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(Microsoft.Extensions.Logging.ILogger logger, LogLevel level, string method, string route, int statusCode, double elapsedMs);
}
