using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Features.GetMessage;
using FhirMmn.Service.Features.IngestBundle;
using FhirMmn.Service.Features.Messages;
using FhirMmn.Service.Features.Metadata;
using FhirMmn.Service.Features.ReadResources;
using FhirMmn.Service.Features.ResubmitMessage;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

public static class ServiceRegistration
{
    public const string FhirServerClient = "fhir-server";

    /// <summary>
    /// Where the service listens when no setting says otherwise (Urls, ASPNETCORE_URLS, --urls, HTTP_PORTS,
    /// HTTPS_PORTS; Kestrel:Endpoints win over all of them): this machine only.
    /// </summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Everything the service needs, in one place; bad configuration fails the start, naming the key.</summary>
    public static WebApplicationBuilder AddFhirMmn(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }.All(key => string.IsNullOrEmpty(configuration[key])))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddLoopbackGuard();
        builder.AddFhirMmnLogging();
        builder.AddFhirMmnTelemetry();
        var services = builder.Services;

        services.AddSettings<FhirMmnOptions>(FhirMmnOptions.Section);
        services.AddSettings<FhirServerOptions>(FhirServerOptions.Section);
        services.AddSettings<SecurityOptions>(SecurityOptions.Section);
        services.AddSingleton<IValidateOptions<FhirMmnOptions>, FhirMmnOptionsValidation>();
        services.AddSingleton<IValidateOptions<FhirServerOptions>, FhirServerOptionsValidation>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidation>();
        services.AddSingleton<IValidateOptions<FhirMmnOptions>, DataFolderValidation>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddMessaging();
        services.AddSingleton<EvidenceStore>();
        services.AddSingleton<ResourceStore>();
        services.AddSingleton<MessageLedger>();
        services.AddSingleton<MessageObserver>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<ReadCache>();
        services.AddHostedService<QueueConsumer>();
        services.AddSingleton<MessagePurger>();
        services.AddHostedService(provider => provider.GetRequiredService<MessagePurger>());

        services.AddFhirServerClients(configuration);
        services.AddOptions<FeedsSettings>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeedsSettings>, FeedsValidation>();
        services.AddScoped<IWriteBackTarget>(provider =>
        {
            var server = provider.GetRequiredService<FhirServerClients>();
            return WriteBackTargets.Make(provider, server.SingleFeed ?? throw new InvalidOperationException("Feeds are configured under Feeds."));
        });
        services.AddScoped<WriteBackTargets>();

        services.AddMediatorPipeline();
        services.AddFeedAuthorization();
        services.AddOperatorAuthorization();
        services.AddExceptionHandler<OutcomeExceptionHandler>();
        services.AddProblemDetails();
        services.AddFhirMmnHealthChecks();
        return builder;
    }

    public static WebApplication UseFhirMmn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(Correlation.Middleware);
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => context.HttpContext.Response.ContentLength is null && !context.HttpContext.Response.HasStarted
            ? Outcomes.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, IssueCodes.NotSupported,
                context.HttpContext.Response.StatusCode == StatusCodes.Status405MethodNotAllowed ? "This method is not supported here." : "Nothing is served at this address.")
            : Task.CompletedTask);
        app.UseAuthentication();
        app.UseAuthorization();

        IngestBundleEndpoint.Map(app);
        GetMessageEndpoint.Map(app);
        ResubmitMessageEndpoint.Map(app);
        ListMessagesEndpoint.Map(app);
        MessageStatsEndpoint.Map(app);
        MessageHistoryEndpoint.Map(app);
        ResubmitMessagesEndpoint.Map(app);
        Telemetry.MapMetrics(app);
        Admin.AdminPage.Map(app);
        MetadataEndpoint.Map(app);
        ReadResourcesEndpoints.Map(app);
        HealthEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// Runs until shutdown. A start that fails part-way is stopped in order before the error goes to the caller, so
    /// that services already started end as at any shutdown instead of failing one by one while the host is disposed.
    /// </summary>
    public static async Task RunFhirMmnAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using (app.ConfigureAwait(false))
        {
            // Every setting is checked before anything is made: the host makes its hosted services (and the store they
            // need) before it validates, so a broken rule would otherwise surface alone, from whichever needed it first.
            app.Services.GetService<IStartupValidator>()?.Validate();
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                await StopAfterFailedStartAsync(app).ConfigureAwait(false);
                throw;
            }

            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
    }

    private static async Task StopAfterFailedStartAsync(WebApplication app)
    {
        try
        {
            await app.StopAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The start's own error is the one to report. Stopping fails when the start failed before any service
            // was made (a setting broke a rule), and then there is nothing to stop.
        }
    }
}
