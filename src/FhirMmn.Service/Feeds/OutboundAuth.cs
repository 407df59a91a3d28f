using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Feeds;

/// <summary>
/// Where a feed's bearer token for its FHIR server comes from (FhirServer:Auth): none, a static token, OAuth 2.0 client
/// credentials with a secret, SMART Backend Services (a private_key_jwt client assertion), or Microsoft Entra ID
/// (Azure.Identity). One source per feed for the life of the process, so that a token is kept until shortly before
/// it expires whatever the HTTP handlers' rotation does.
/// </summary>
public abstract class AccessTokenSource
{
    /// <summary>The token for the next call; <paramref name="renew"/> after the server answered 401 with the last one.</summary>
    public abstract ValueTask<string?> TokenAsync(bool renew, CancellationToken cancellationToken);

    /// <summary>Whether a 401 is worth one more try with a new token.</summary>
    public virtual bool CanRenew => true;

    public static AccessTokenSource For(Feed feed, IHttpClientFactory clients, TimeProvider clock, Func<Feed, TokenCredential> entra)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(entra);
        return feed.Server.Auth switch
        {
            "static" => new StaticTokenSource(feed.Secret!),
            "client-credentials" => new OAuthTokenSource(feed, clients, clock, ClientSecretForm(feed)),
            "smart-backend-services" => new OAuthTokenSource(feed, clients, clock, new ClientAssertion(feed, clock).Form),
            "entra-id" => new EntraTokenSource(entra(feed), EntraScope(feed), clock),
            _ => NoTokenSource.Instance,
        };
    }

    /// <summary>The scope Entra ID gives a token for: FhirServer:Scope, else the server's origin with /.default (Azure Health Data Services).</summary>
    public static string EntraScope(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        return feed.Server.Scope is { Length: > 0 } scope ? scope : new Uri(feed.Server.BaseUrl!.GetLeftPart(UriPartial.Authority)) + ".default";
    }

    /// <summary>Entra ID's credential for the service's identity: a workload identity where its token file is set, else the managed identity.</summary>
    public static TokenCredential DefaultEntraCredential(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE") is { Length: > 0 })
        {
            var options = new WorkloadIdentityCredentialOptions();
            if (feed.Server.ClientId is { Length: > 0 } client)
            {
                options.ClientId = client;
            }

            if (feed.Server.TenantId is { Length: > 0 } tenant)
            {
                options.TenantId = tenant;
            }

            return new WorkloadIdentityCredential(options);
        }

        return feed.Server.ClientId is { Length: > 0 } id
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(id))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }

    private static Func<Dictionary<string, string>> ClientSecretForm(Feed feed) => () => new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = feed.Server.ClientId!,
        ["client_secret"] = feed.Secret!,
    };

    /// <summary>A token kept until a minute before it expires (or half its life, when that is shorter).</summary>
    internal static DateTimeOffset KeepUntil(DateTimeOffset now, TimeSpan lifetime) =>
        now + (lifetime > TimeSpan.FromMinutes(2) ? lifetime - TimeSpan.FromMinutes(1) : lifetime / 2);
}

internal sealed class NoTokenSource : AccessTokenSource
{
    public static readonly NoTokenSource Instance = new();

    public override bool CanRenew => false;

    public override ValueTask<string?> TokenAsync(bool renew, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}

internal sealed class StaticTokenSource(string token) : AccessTokenSource
{
    public override bool CanRenew => false;

    public override ValueTask<string?> TokenAsync(bool renew, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
}

/// <summary>
/// A token from the feed's token endpoint (client_credentials grant), with a client secret or a SMART client
/// assertion; one request at a time, the token kept until shortly before it expires.
/// </summary>
internal sealed class OAuthTokenSource(Feed feed, IHttpClientFactory clients, TimeProvider clock, Func<Dictionary<string, string>> credentials) : AccessTokenSource, IDisposable
{
    public const string TokenClient = "fhir-server-token";

    private readonly SemaphoreSlim gate = new(1, 1);
    private string? token;
    private DateTimeOffset keepUntil;

    public override async ValueTask<string?> TokenAsync(bool renew, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!renew && token is not null && clock.GetUtcNow() < keepUntil)
            {
                return token;
            }

            var form = credentials();
            if (feed.Server.Scope is { Length: > 0 } scope)
            {
                form["scope"] = scope;
            }

            using var content = new FormUrlEncodedContent(form);
            using var response = await clients.CreateClient(TokenClient).PostAsync(feed.Server.TokenEndpoint, content, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // A refused credential is the feed's configuration, not the message: 503 reschedules it, so nothing is lost meanwhile.
                throw new HttpRequestException($"The token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode == HttpStatusCode.TooManyRequests ? response.StatusCode : HttpStatusCode.ServiceUnavailable);
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            token = json.RootElement.GetProperty("access_token").GetString()!;
            var seconds = json.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? s : 300;
            keepUntil = KeepUntil(clock.GetUtcNow(), TimeSpan.FromSeconds(seconds));
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

/// <summary>
/// SMART Backend Services (SMART App Launch 2.x, "Backend Services"): the client authenticates with a JWT it signs with
/// its private key (RS384 or ES384): header alg, kid and typ JWT; claims iss and sub the client id, aud the token
/// endpoint, exp five minutes on, a new jti each time; sent as client_assertion with client_assertion_type
/// urn:ietf:params:oauth:client-assertion-type:jwt-bearer in a client_credentials grant.
/// </summary>
internal sealed class ClientAssertion(Feed feed, TimeProvider clock)
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly SigningCredentials signing = Signing(feed);

    public Dictionary<string, string> Form() => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = AssertionType,
        ["client_assertion"] = Create(),
    };

    public string Create()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = feed.Server.ClientId,
            Audience = feed.Server.TokenEndpoint!.ToString(),
            Subject = new ClaimsIdentity([new Claim("sub", feed.Server.ClientId!), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            Expires = now + Lifetime,
            SigningCredentials = signing,
            TokenType = "JWT",
        });
    }

    /// <summary>The feed's key as Microsoft.IdentityModel signs with it; the algorithm must fit the key (checked at start).</summary>
    public static SigningCredentials Signing(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        SecurityKey key;
        if (feed.Server.Algorithm == SecurityAlgorithms.EcdsaSha384)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(feed.Secret);
            key = new ECDsaSecurityKey(ec) { KeyId = feed.Server.KeyId };
        }
        else
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(feed.Secret);
            key = new RsaSecurityKey(rsa) { KeyId = feed.Server.KeyId };
        }

        return new SigningCredentials(key, feed.Server.Algorithm);
    }

    /// <summary>Where the key does not fit the algorithm (null: it does), without a word of the key.</summary>
    public static string? KeyFault(string pem, string algorithm)
    {
        try
        {
            if (algorithm == SecurityAlgorithms.EcdsaSha384)
            {
                using var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                return ec.KeySize == 384 ? null : "it is not an EC key on the curve P-384, as ES384 needs";
            }

            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return rsa.KeySize >= 2048 ? null : "it is an RSA key shorter than 2048 bits";
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return algorithm == SecurityAlgorithms.EcdsaSha384 ? "it is not an EC private key, as ES384 needs" : "it is not an RSA private key, as RS384 needs";
        }
    }
}

/// <summary>Microsoft Entra ID through Azure.Identity (managed identity or workload identity), for Azure Health Data Services.</summary>
internal sealed class EntraTokenSource(TokenCredential credential, string scope, TimeProvider clock) : AccessTokenSource, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private AccessToken? token;

    public override async ValueTask<string?> TokenAsync(bool renew, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = clock.GetUtcNow();
            if (!renew && token is { } kept && now < kept.RefreshOn.GetValueOrDefault(kept.ExpiresOn - TimeSpan.FromMinutes(5)))
            {
                return kept.Token;
            }

            try
            {
                token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException)
            {
                // Azure.Identity's message may name the identity; only the kind of failure goes on.
                throw new HttpRequestException("Entra ID gave no token for the feed's FHIR server.", null, HttpStatusCode.ServiceUnavailable);
            }

            return token.Value.Token;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}

/// <summary>Puts the feed's bearer token on each call; after a 401, once more with a new token.</summary>
internal sealed class BearerTokenHandler(AccessTokenSource source) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await source.TokenAsync(false, cancellationToken).ConfigureAwait(false) is not { } token)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !source.CanRenew)
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await source.TokenAsync(true, cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
