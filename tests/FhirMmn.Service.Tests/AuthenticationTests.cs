using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// End to end through JwtBearer (10.0.15, with Microsoft.IdentityModel 8.19.2): tokens made
/// here, signed with a key given to the service, checked for signature, audience, lifetime and the feed claim.
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

    private async Task<HttpResponseMessage> PostAsync(string? token)
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
        Assert.Contains("\"login\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("another-feed")]
    [InlineData(null)]
    public async Task A_valid_token_for_another_feed_or_none_is_403_with_an_outcome(string? feed)
    {
        using var response = await PostAsync(Token(feed));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("\"forbidden\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_read_and_resubmit_endpoints_need_the_same_token_and_metadata_and_health_do_not()
    {
        var anonymous = service.CreateClient();
        var authorised = service.CreateClient();
        authorised.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        var id = await authorised.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"/messages/{id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/fhir/DiagnosticReport?subject=Patient/x", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null)).StatusCode);
        Assert.Equal("completed", (await authorised.SettledAsync(id)).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await authorised.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/fhir/metadata", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }
}
