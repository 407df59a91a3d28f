using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// End to end through JwtBearer (10.0.15, with Microsoft.IdentityModel 8.19.2): tokens made here, signed with a key
/// given to the service, checked for signature, audience, lifetime (and its length, Security:MaxTokenLifetime) and
/// the feed claim, which must be one JSON string. Refusals are OperationOutcomes.
/// </summary>
public sealed class AuthenticationTests : IDisposable
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly ServiceFactory service = new(new()
    {
        ["Security:RequireToken"] = "true",
        ["Security:SigningKey"] = Convert.ToBase64String(Key),
        ["Security:Issuer"] = "https://idp.example.org",
        ["Security:Audience"] = "fhirmmn",
    });

    public void Dispose() => service.Dispose();

    private static string Token(string? feed = "default", byte[]? key = null, string audience = "fhirmmn", DateTime? expires = null, string issuer = "https://idp.example.org")
    {
        var claims = new Dictionary<string, object> { ["sub"] = "ehr-integration" };
        if (feed is not null)
        {
            claims["fhirmmn_feed"] = feed;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            IssuedAt = (expires ?? now.AddMinutes(5)).AddMinutes(-10),
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Key), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token written by hand, so that its payload can be anything JSON allows (arrays, duplicates, no exp).</summary>
    private static string Signed(string claims, byte[]? key = null)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var payload = Encode(Encoding.UTF8.GetBytes("{\"iss\":\"https://idp.example.org\",\"aud\":\"fhirmmn\",\"sub\":\"ehr-integration\"," + claims + "}"));
        var signature = Encode(HMACSHA256.HashData(key ?? Key, Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }

    /// <summary>iat, nbf and exp: issued a minute ago, valid for <paramref name="seconds"/> from then.</summary>
    private static string Times(long seconds)
    {
        var issued = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        return $"\"iat\":{issued},\"nbf\":{issued},\"exp\":{issued + seconds}";
    }

    private Task<HttpResponseMessage> PostAsync(string? token) => PostAsync(service, token);

    private static async Task<HttpResponseMessage> PostAsync(ServiceFactory service, string? token)
    {
        var client = service.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(ServiceCalls.Example("example-definite-ulnar-forearm.json")));
    }

    [Fact]
    public async Task A_token_for_the_feed_is_accepted()
    {
        using var response = await PostAsync(Token());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, string?> Unauthenticated => new()
    {
        { "no token", null },
        { "not a token", "not-a-jwt" },
        { "another key", Token(key: RandomNumberGenerator.GetBytes(32)) },
        { "another audience", Token(audience: "someone-else") },
        { "another issuer", Token(issuer: "https://evil.example.org") },
        { "expired", Token(expires: DateTime.UtcNow.AddMinutes(-5)) },
    };

    [Theory]
    [MemberData(nameof(Unauthenticated))]
    public async Task Without_a_valid_token_the_answer_is_401_with_an_outcome(string why, string? token)
    {
        using var response = await PostAsync(token);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        await AssertOutcomeAsync(response, "login");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("another-feed")]
    [InlineData(null)]
    public async Task A_valid_token_for_another_feed_or_none_is_403_with_an_outcome(string? feed)
    {
        using var response = await PostAsync(Token(feed));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertOutcomeAsync(response, "forbidden");
    }

    [Fact]
    public async Task A_hand_written_token_with_the_feed_as_a_string_is_accepted()
    {
        using var response = await PostAsync(Signed("\"fhirmmn_feed\":\"default\"," + Times(600)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string> FeedClaimsThatAreNotOneString => new()
    {
        "\"fhirmmn_feed\":[\"default\"]",
        "\"fhirmmn_feed\":[\"another-feed\",\"default\"]",
        "\"fhirmmn_feed\":[[\"default\"]]",
        "\"fhirmmn_feed\":{\"name\":\"default\"}",
        "\"fhirmmn_feed\":null",
        "\"fhirmmn_feed\":true",
        "\"fhirmmn_feed\":\"another-feed\",\"fhirmmn_feed\":\"default\"",
        "\"FHIRMMN_FEED\":\"default\"",
    };

    [Theory]
    [MemberData(nameof(FeedClaimsThatAreNotOneString))]
    public async Task A_feed_claim_that_is_not_one_string_is_403_like_any_other_feed(string feed)
    {
        using var response = await PostAsync(Signed(feed + "," + Times(600)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertOutcomeAsync(response, "forbidden");
    }

    [Fact]
    public async Task A_feed_named_by_digits_is_matched_only_by_a_string_claim()
    {
        using var digits = new ServiceFactory(new()
        {
            ["FhirMmn:Feed"] = "7",
            ["Security:RequireToken"] = "true",
            ["Security:SigningKey"] = Convert.ToBase64String(Key),
        });

        using var number = await PostAsync(digits, Signed("\"fhirmmn_feed\":7," + Times(600)));
        using var text = await PostAsync(digits, Signed("\"fhirmmn_feed\":\"7\"," + Times(600)));

        Assert.Equal(HttpStatusCode.Forbidden, number.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, text.StatusCode);
    }

    /// <summary>Claims with times in seconds from now, made when the test runs (theory data is made at discovery).</summary>
    public static TheoryData<string, string, HttpStatusCode> Lifetimes => new()
    {
        { "exactly Security:MaxTokenLifetime (1 hour)", "iat=-60,nbf=-60,exp=3540", HttpStatusCode.Accepted },
        { "a second longer", "iat=-60,nbf=-60,exp=3541", HttpStatusCode.Unauthorized },
        { "a second longer counted from nbf", "nbf=-60,exp=3541", HttpStatusCode.Unauthorized },
        { "a day", "iat=-60,nbf=-60,exp=86340", HttpStatusCode.Unauthorized },
        { "no exp", "iat=-60,nbf=-60", HttpStatusCode.Unauthorized },
        { "only exp, 59 minutes ahead", "exp=3540", HttpStatusCode.Accepted },
        { "only exp, 61 minutes ahead", "exp=3660", HttpStatusCode.Unauthorized },
        { "iat in the future, exp 2 hours ahead", "iat=30,exp=7200", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(Lifetimes))]
    public async Task A_token_meant_to_live_longer_than_the_limit_is_401(string why, string times, HttpStatusCode expected)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = string.Join(",", times.Split(',').Select(t => t.Split('=')).Select(t => $"\"{t[0]}\":{now + long.Parse(t[1], System.Globalization.CultureInfo.InvariantCulture)}"));

        using var response = await PostAsync(Signed("\"fhirmmn_feed\":\"default\"," + claims));

        Assert.True(response.StatusCode == expected, $"{why}: {(int)response.StatusCode}");
        if (expected == HttpStatusCode.Unauthorized)
        {
            await AssertOutcomeAsync(response, "login");
        }
    }

    [Fact]
    public async Task A_longer_limit_accepts_the_tokens_it_allows()
    {
        using var longer = new ServiceFactory(new()
        {
            ["Security:RequireToken"] = "true",
            ["Security:SigningKey"] = Convert.ToBase64String(Key),
            ["Security:MaxTokenLifetime"] = "01:30:00",
        });

        using var ninety = await PostAsync(longer, Signed("\"fhirmmn_feed\":\"default\"," + Times(5400)));
        using var more = await PostAsync(longer, Signed("\"fhirmmn_feed\":\"default\"," + Times(5401)));

        Assert.Equal(HttpStatusCode.Accepted, ninety.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, more.StatusCode);
    }

    private static async Task AssertOutcomeAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        using var outcome = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal(code, outcome.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_read_endpoints_need_the_same_token_resubmit_more_and_metadata_and_health_do_not()
    {
        var anonymous = service.CreateClient();
        var authorised = service.CreateClient();
        authorised.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        var id = await authorised.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"/messages/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/fhir/DiagnosticReport?subject=Patient/x", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null)).StatusCode);
        Assert.Equal("completed", (await authorised.SettledAsync(id)).GetProperty("state").GetString());
        // Resubmitting is an operator's act: the feed's token alone is not enough (MessagesApiTests: the operator role).
        Assert.Equal(HttpStatusCode.Forbidden, (await authorised.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/fhir/metadata", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }
}
