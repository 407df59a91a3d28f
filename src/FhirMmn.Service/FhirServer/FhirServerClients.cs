using FhirMmn.Fhir.Client;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.FhirServer;

/// <summary>
/// Makes the clients of the hospital's FHIR server (FhirServer:BaseUrl): Firely's client over the named HttpClient's
/// handler chain (authentication, resilience, and whatever a test adds), so that the chain's handlers are pooled and
/// renewed by the HttpClient factory while each client serves one caller.
/// </summary>
public sealed class FhirServerClients(IOptions<FhirServerOptions> options, IHttpMessageHandlerFactory handlers)
{
    /// <summary>Whether a FHIR server is configured; without one, results go to the embedded store.</summary>
    public bool Configured => options.Value.BaseUrl is not null;

    /// <summary>A client for one caller; dispose it when done (the pooled handlers stay).</summary>
    public FhirServerClient Create()
    {
        var url = options.Value.BaseUrl ?? throw new InvalidOperationException("FhirServer:BaseUrl is not set.");
        return new FhirServerClient(new Uri(url.ToString().TrimEnd('/') + "/"), handlers.CreateHandler(ServiceRegistration.FhirServerClient));
    }
}

internal static class FhirServerRegistration
{
    /// <summary>The named HttpClient to the FHIR server (authentication, then resilience), and the clients made over it.</summary>
    public static IServiceCollection AddFhirServerClients(this IServiceCollection services)
    {
        services.AddTransient<StaticTokenHandler>();
        services.AddTransient<ClientCredentialsHandler>();
        services.AddHttpClient(ClientCredentialsHandler.TokenClient);
        services.AddHttpClient(ServiceRegistration.FhirServerClient)
            .AddHttpMessageHandler(provider => provider.GetRequiredService<IOptions<FhirServerOptions>>().Value.Auth switch
            {
                "static" => provider.GetRequiredService<StaticTokenHandler>(),
                "client-credentials" => provider.GetRequiredService<ClientCredentialsHandler>(),
                _ => new PassThroughHandler(),
            })
            .AddFhirServerResilience();
        services.AddSingleton<FhirServerClients>();
        return services;
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}
