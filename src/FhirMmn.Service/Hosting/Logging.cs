using Microsoft.AspNetCore.Diagnostics;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// Serilog, configured from the "Serilog" section (levels, extra sinks) and from sinks, enrichers and filters in
/// the container, with the correlation id from the log context. JSON lines on the console, plain text in
/// development. Requests are logged by Serilog.AspNetCore, one event each. No patient data: log templates are
/// constants and carry ids, counts, codes and times only (STYLE.md).
/// </summary>
internal static class Logging
{
    /// <summary>The request event: method, route template, status and time; never the path, the query, a header or the body.</summary>
    public const string RequestTemplate = "HTTP {RequestMethod:l} {Route:l} answered {StatusCode} in {Elapsed:0.0} ms";

    private static readonly string[] UrlLoggingCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Http",
        "System.Net.Http.HttpClient",
        "Polly",
    ];

    private static readonly HashSet<string> KnownMethods = new(
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect],
        StringComparer.Ordinal);

    public static void AddFhirMmnLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        var services = builder.Services;
        services.AddSingleton<Serilog.ILogger>(provider => Configure(provider, development).CreateLogger());
        services.AddSingleton(provider => new DiagnosticContext(provider.GetRequiredService<Serilog.ILogger>()));
        services.AddSingleton<IDiagnosticContext>(provider => provider.GetRequiredService<DiagnosticContext>());
        builder.Logging.ClearProviders();
        // The container disposes the logger (and flushes its sinks) after everything that logs through it.
        services.AddSingleton<ILoggerProvider>(provider => new SerilogLoggerProvider(provider.GetRequiredService<Serilog.ILogger>()));

        // These framework categories log whole URLs, query strings included (?subject=Patient/...), below
        // Warning. They stay quiet whatever the configuration says; the request event stands in for them.
        foreach (var category in UrlLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
    }

    /// <summary>One event per request, through Serilog.AspNetCore, outside the exception handler so that it sees the final status and no exception text.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) => app.UseSerilogRequestLogging(options =>
    {
        options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = RequestTemplate;
        options.IncludeQueryInRequestPath = false;
        options.GetLevel = (context, _, error) => error is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Warning
            : context.Response.StatusCode >= 400 ? LogEventLevel.Information
            : LogEventLevel.Debug;
        options.GetMessageTemplateProperties = (context, _, elapsed, status) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(KnownMethods.Contains(context.Request.Method) ? context.Request.Method : "(other)")),
            new LogEventProperty("Route", new ScalarValue(RouteOf(context))),
            new LogEventProperty("StatusCode", new ScalarValue(status)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
        ];
    });

    /// <summary>The route template; after a failure the exception handler has cleared the endpoint and keeps it aside.</summary>
    private static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint) is RouteEndpoint route
            ? route.RoutePattern.RawText ?? "(no template)"
            : "(no route)";

    private static LoggerConfiguration Configure(IServiceProvider provider, bool development)
    {
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(provider.GetRequiredService<IConfiguration>())
            .ReadFrom.Services(provider)
            .Enrich.FromLogContext()
            .Enrich.With<DropRequestPath>()
            .Enrich.WithProperty("Service", "FhirMmn")
            .Filter.ByExcluding(IsStartupFault);
        return development
            ? configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj} {Properties:j}{NewLine}{Exception}")
            : configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
    }

    /// <summary>
    /// The host's "Hosting failed to start", with the whole stack trace: Program reports the same failure itself, as
    /// one line per broken rule (<see cref="StartupErrors"/>), so the host's copy is held back.
    /// </summary>
    private static bool IsStartupFault(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" }
        && logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
        && structure.Properties.Any(p => p.Name == "Name" && p.Value is ScalarValue { Value: "HostedServiceStartupFaulted" });

    /// <summary>ASP.NET Core's request scope carries the path; paths can carry ids, so it stays out of the logs.</summary>
    private sealed class DropRequestPath : Serilog.Core.ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, Serilog.Core.ILogEventPropertyFactory propertyFactory) =>
            logEvent.RemovePropertyIfPresent("RequestPath");
    }
}
