using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Core;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A feed's outbound credentials against a token endpoint of our own (Kestrel on loopback, port 0) that checks a SMART
/// Backend Services client assertion as the specification has the server do: client_credentials grant with
/// client_assertion_type jwt-bearer and a scope; a JWT whose header has alg RS384 or ES384, typ JWT and the kid of a
/// registered key, signed by that key; iss and sub the client id, aud the token endpoint's URL, exp in the future and
/// no more than five minutes away, and a jti never seen before. Feeds are built from settings by the FeedRegistry, the
/// private key read through a file: reference.
/// </summary>
public sealed class OutboundAuthTests : IAsyncLifetime
{
    private const string ClientId = "fhirmmn-northfield";
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-auth-").FullName;
    private readonly RSA rsa = RSA.Create(2048);
    private readonly ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly ConcurrentBag<string> seenJti = [];
    private readonly ConcurrentQueue<string> refusals = new();
    private readonly ManualClock clock = new(DateTimeOffset.UtcNow);
    private WebApplication? endpoint;
    private int issued;

    private Uri TokenUrl { get; set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        endpoint = builder.Build();
        endpoint.MapPost("/oauth2/token", (Delegate)Token);
        await endpoint.StartAsync();
        var address = endpoint.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        TokenUrl = new Uri(address.TrimEnd('/') + "/oauth2/token");
    }

    public async Task DisposeAsync()
    {
        await endpoint!.DisposeAsync();
        rsa.Dispose();
        ec.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The token endpoint: checks the assertion, answers a token of 300 s, or 401 naming the first check that failed.</summary>
    private async Task<IResult> Token(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        string? Fault()
        {
            if (form["grant_type"] != "client_credentials" || form["client_assertion_type"] != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || string.IsNullOrEmpty(form["scope"]))
            {
                return "form";
            }

            var jwt = new JsonWebToken(form["client_assertion"].ToString());
            if (jwt.Alg is not ("RS384" or "ES384") || jwt.Typ != "JWT" || jwt.Kid is not ("rsa-key" or "ec-key"))
            {
                return "header";
            }

            SecurityKey key = jwt.Kid == "rsa-key" ? new RsaSecurityKey(rsa.ExportParameters(false)) : new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false)));
            var result = new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
            {
                IssuerSigningKey = key,
                ValidIssuer = ClientId,
                ValidAudience = TokenUrl.ToString(),
                ValidAlgorithms = [jwt.Kid == "rsa-key" ? "RS384" : "ES384"],
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.Zero,
                LifetimeValidator = (_, expires, _, _) => expires is { } e && e > DateTime.UtcNow && e <= clock.GetUtcNow().UtcDateTime.AddMinutes(5),
            }).GetAwaiter().GetResult();
            if (!result.IsValid)
            {
                return "signature, issuer, audience or lifetime";
            }

            if (jwt.Subject != ClientId)
            {
                return "sub";
            }

            var jti = jwt.Id;
            if (string.IsNullOrEmpty(jti) || seenJti.Contains(jti))
            {
                return "jti";
            }

            seenJti.Add(jti);
            return null;
        }

        if (Fault() is { } fault)
        {
            refusals.Enqueue(fault);
            return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var n = Interlocked.Increment(ref issued);
        return Results.Json(new { access_token = $"token-{n}", token_type = "bearer", expires_in = 300, scope = form["scope"].ToString() });
    }

    private string KeyFile(AsymmetricAlgorithm key)
    {
        var file = Path.Combine(folder, $"key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, key.ExportPkcs8PrivateKeyPem());
        return file;
    }

    /// <summary>The feed "northfield" as the registry makes it from these settings, and its token source.</summary>
    private (Feed Feed, AccessTokenSource Source, IReadOnlyList<string> Failures) Feed(Dictionary<string, string?> settings, Func<Feed, TokenCredential>? entra = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Feeds:northfield:FhirServer:BaseUrl"] = "https://fhir.northfield.example/r4" };
        foreach (var (key, value) in settings)
        {
            all[$"Feeds:northfield:FhirServer:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var registry = new FeedRegistry(configuration, Options.Create(new FhirMmnOptions()), Options.Create(new FhirServerOptions()), folder, resolveSecrets: true);
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var feed = registry.Find("northfield")!;
        return (feed, registry.Failures.Count > 0 ? null! : AccessTokenSource.For(feed, services.GetRequiredService<IHttpClientFactory>(), clock, entra ?? (_ => throw new InvalidOperationException())), registry.Failures);
    }

    private Dictionary<string, string?> Smart(string algorithm, string keyFile, string kid) => new()
    {
        ["Auth"] = "smart-backend-services",
        ["TokenEndpoint"] = TokenUrl.ToString(),
        ["ClientId"] = ClientId,
        ["Scope"] = "system/DiagnosticReport.cu system/CarePlan.cu",
        ["KeyId"] = kid,
        ["Algorithm"] = algorithm,
        ["PrivateKey"] = "file:" + keyFile,
    };

    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public async Task A_SMART_client_assertion_is_accepted_by_a_token_endpoint_that_checks_it_and_the_token_is_kept(string algorithm)
    {
        var (_, source, failures) = Feed(algorithm == "RS384" ? Smart("RS384", KeyFile(rsa), "rsa-key") : Smart("ES384", KeyFile(ec), "ec-key"));
        Assert.Empty(failures);

        var first = await source.TokenAsync(false, CancellationToken.None);
        var second = await source.TokenAsync(false, CancellationToken.None);

        Assert.Empty(refusals);
        Assert.Equal("token-1", first);
        Assert.Equal("token-1", second);
        Assert.Equal(1, issued);
    }

    [Fact]
    public async Task A_token_is_fetched_anew_shortly_before_it_expires_and_after_a_401_each_time_with_a_new_jti()
    {
        var (_, source, _) = Feed(Smart("RS384", KeyFile(rsa), "rsa-key"));
        Assert.Equal("token-1", await source.TokenAsync(false, CancellationToken.None));

        clock.Advance(TimeSpan.FromSeconds(239));
        Assert.Equal("token-1", await source.TokenAsync(false, CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("token-2", await source.TokenAsync(false, CancellationToken.None));
        Assert.Equal("token-3", await source.TokenAsync(true, CancellationToken.None));

        Assert.Empty(refusals);
        Assert.Equal(3, seenJti.Distinct().Count());
    }

    [Fact]
    public async Task An_assertion_signed_with_another_key_is_refused_by_the_endpoint_and_no_token_is_had()
    {
        using var other = RSA.Create(2048);
        var (_, source, _) = Feed(Smart("RS384", KeyFile(other), "rsa-key"));

        await Assert.ThrowsAsync<HttpRequestException>(() => source.TokenAsync(false, CancellationToken.None).AsTask());
        Assert.Equal(["signature, issuer, audience or lifetime"], refusals);
    }

    [Fact]
    public void A_key_that_does_not_fit_the_algorithm_or_a_missing_key_file_stops_the_start_naming_the_key()
    {
        var (_, _, wrongKind) = Feed(Smart("ES384", KeyFile(rsa), "ec-key"));
        Assert.Equal(["Feeds:northfield:FhirServer:PrivateKey must name a private key in PEM that fits Feeds:northfield:FhirServer:Algorithm (it is not an EC private key, as ES384 needs)"], wrongKind);

        var (_, _, missing) = Feed(Smart("RS384", Path.Combine(folder, "absent.pem"), "rsa-key"));
        Assert.Equal(["Feeds:northfield:FhirServer:PrivateKey must name a secret that can be read (the file it names cannot be read)"], missing);

        var (_, _, literal) = Feed(new() { ["Auth"] = "client-credentials", ["TokenEndpoint"] = TokenUrl.ToString(), ["ClientId"] = ClientId, ["ClientSecret"] = "s3cret-in-a-file" });
        Assert.Equal(["Feeds:northfield:FhirServer:ClientSecret must be a reference env:NAME or file:PATH to where the secret is kept, never the secret itself (it is not a reference)"], literal);
        Assert.DoesNotContain("s3cret", string.Join('\n', literal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entra_ID_tokens_are_asked_for_the_servers_default_scope_and_kept_until_they_are_due_for_refresh()
    {
        var credential = new RecordingCredential(clock);
        var (_, source, failures) = Feed(new() { ["Auth"] = "entra-id", ["ClientId"] = "00000000-0000-0000-0000-000000000001" }, _ => credential);
        Assert.Empty(failures);

        Assert.Equal("entra-1", await source.TokenAsync(false, CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal("entra-1", await source.TokenAsync(false, CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal("entra-2", await source.TokenAsync(false, CancellationToken.None));

        Assert.Equal(["https://fhir.northfield.example/.default", "https://fhir.northfield.example/.default"], credential.Scopes);
    }

    /// <summary>Stands in for Entra ID, which cannot run here: tokens of an hour, due for refresh five minutes before.</summary>
    private sealed class RecordingCredential(TimeProvider clock) : TokenCredential
    {
        private int count;

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken($"entra-{++count}", clock.GetUtcNow().AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
