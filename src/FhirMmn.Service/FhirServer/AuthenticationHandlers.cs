using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.FhirServer;

/// <summary>A fixed bearer token (FhirServer:Auth = static), from the environment.</summary>
internal sealed class StaticTokenHandler(IOptions<FhirServerOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.Token);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// OAuth 2.0 client credentials (FhirServer:Auth = client-credentials): a token from the token endpoint,
/// kept until shortly before it expires, fetched anew once when the server answers 401.
/// </summary>
internal sealed class ClientCredentialsHandler(IOptions<FhirServerOptions> options, IHttpClientFactory clients, TimeProvider clock) : DelegatingHandler
{
    public const string TokenClient = "fhir-server-token";

    private readonly SemaphoreSlim gate = new(1, 1);
    private string? token;
    private DateTimeOffset expires;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(false, cancellationToken).ConfigureAwait(false));
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(true, cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> TokenAsync(bool renew, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!renew && token is not null && clock.GetUtcNow() < expires)
            {
                return token;
            }

            var o = options.Value;
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = o.ClientId!,
                ["client_secret"] = o.ClientSecret!,
            };
            if (!string.IsNullOrEmpty(o.Scope))
            {
                form["scope"] = o.Scope;
            }

            using var content = new FormUrlEncodedContent(form);
            using var response = await clients.CreateClient(TokenClient).PostAsync(o.TokenEndpoint, content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            token = json.RootElement.GetProperty("access_token").GetString()!;
            var lifetime = json.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 300;
            expires = clock.GetUtcNow().AddSeconds(Math.Max(lifetime - 60, lifetime / 2));
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gate.Dispose();
        }

        base.Dispose(disposing);
    }
}
