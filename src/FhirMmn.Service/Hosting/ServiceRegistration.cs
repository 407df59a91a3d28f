using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Features.GetMessage;
using FhirMmn.Service.Features.IngestBundle;
using FhirMmn.Service.Features.Metadata;
using FhirMmn.Service.Features.ReadResources;
using FhirMmn.Service.Features.ResubmitMessage;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

public static class ServiceRegistration
{
    public const string FhirServerClient = "fhir-server";

    /// <summary>Where the service listens when neither Urls nor ASPNETCORE_URLS says otherwise: this machine only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Everything the service needs, in one place; bad configuration fails the start, naming the key.</summary>
    public static WebApplicationBuilder AddFhirMmn(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        FeedAuthorization.RequireLoopbackWithoutTokens(builder.Configuration);
        builder.AddFhirMmnLogging();
        var services = builder.Services;

        services.AddOptions<FhirMmnOptions>().BindConfiguration(FhirMmnOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FhirServerOptions>().BindConfiguration(FhirServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<FhirServerOptions>, FhirServerOptionsValidation>();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidation>();
        services.AddSingleton<IValidateOptions<FhirMmnOptions>, DataFolderValidation>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddSingleton<SqliteTransport>();
        services.AddSingleton<IMessageTransport>(provider => provider.GetRequiredService<SqliteTransport>());
        services.AddSingleton<EvidenceStore>();
        services.AddSingleton<ResourceStore>();
        services.AddSingleton<KeyedLock>();
        services.AddSingleton<ReadCache>();
        services.AddHostedService<QueueConsumer>();
        services.AddSingleton<MessagePurger>();
        services.AddHostedService(provider => provider.GetRequiredService<MessagePurger>());

        services.AddFhirServerClients();
        services.AddScoped<IWriteBackTarget>(provider =>
        {
            var mode = provider.GetRequiredService<IOptions<FhirMmnOptions>>().Value.WriteBack;
            var server = provider.GetRequiredService<FhirServerClients>();
            return mode switch
            {
                "null" => new NullTarget(),
                "auto" when server.Configured => new FhirServerTarget(server.Create()),
                _ => new EmbeddedTarget(provider.GetRequiredService<ResourceStore>()),
            };
        });

        services.AddMediatorPipeline();
        services.AddFeedAuthorization();
        services.AddExceptionHandler<OutcomeExceptionHandler>();
        services.AddProblemDetails();
        services.AddFhirMmnHealthChecks();
        return builder;
    }

    public static WebApplication UseFhirMmn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.Use(Correlation.Middleware);
        app.Use(Logging.RequestMiddleware);
        app.UseStatusCodePages(context => context.HttpContext.Response.ContentLength is null && !context.HttpContext.Response.HasStarted
            ? Outcomes.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, IssueCodes.NotSupported,
                context.HttpContext.Response.StatusCode == StatusCodes.Status405MethodNotAllowed ? "This method is not supported here." : "Nothing is served at this address.")
            : Task.CompletedTask);
        app.UseAuthentication();
        app.UseAuthorization();

        IngestBundleEndpoint.Map(app);
        GetMessageEndpoint.Map(app);
        ResubmitMessageEndpoint.Map(app);
        MetadataEndpoint.Map(app);
        ReadResourcesEndpoints.Map(app);
        HealthEndpoints.Map(app);
        return app;
    }
}
