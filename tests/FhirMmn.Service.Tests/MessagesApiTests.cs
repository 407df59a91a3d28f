using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The messages API for integration engineers (docs/operations.md): listing newest first in pages, the queue's
/// figures, a message's history, and resubmission of one id or a filter, against the real FHIR server process for
/// the dead letters it causes.
/// </summary>
public sealed class MessagesApiTests : IDisposable
{
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }
    }

    private HttpClient Embedded()
    {
        var service = new ServiceFactory();
        started.Add(service);
        return service.CreateClient();
    }

    private (FhirServerProcess Server, HttpClient Service) WithServer()
    {
        var server = FhirServerProcess.Start();
        started.Add(server);
        var service = new ServiceFactory(new()
        {
            ["FhirServer:BaseUrl"] = server.BaseUrl.ToString(),
            ["FhirServer:Timeout"] = "00:00:05",
        });
        started.Add(service);
        return (server, service.CreateClient());
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = Json(json);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Messages_are_listed_newest_first_a_page_at_a_time_with_their_state_attempts_and_times()
    {
        var client = Embedded();
        var ids = new List<string>();
        foreach (var example in new[] { "example-definite-ulnar-forearm.json", "example-probable-two-nerves.json", "example-possible-one-nerve.json" })
        {
            var id = await client.PostAsync(ServiceCalls.Example(example));
            await client.SettledAsync(id);
            ids.Add(id);
        }

        var first = await client.GetJsonAsync("/messages?_count=2");
        var next = first.GetProperty("next").GetString();
        var second = await client.GetJsonAsync($"/messages?_count=2&cursor={next}");
        var completed = await client.GetJsonAsync("/messages?state=completed&feed=default");
        var none = await client.GetJsonAsync("/messages?state=dead-lettered");
        var later = await client.GetJsonAsync($"/messages?since={DateTime.UtcNow.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}");

        Assert.Equal([ids[2], ids[1]], Ids(first));
        Assert.Equal([ids[0]], Ids(second));
        Assert.False(second.TryGetProperty("next", out _));
        Assert.Equal(3, Ids(completed).Count);
        Assert.Empty(Ids(none));
        Assert.Empty(Ids(later));
        var one = first.GetProperty("messages")[0];
        Assert.Equal("completed", one.GetProperty("state").GetString());
        Assert.Equal("default", one.GetProperty("feed").GetString());
        Assert.Equal(1, one.GetProperty("attempts").GetInt32());
        Assert.Equal(0, one.GetProperty("reasons").GetArrayLength());
        Assert.True(one.GetProperty("completedAt").GetDateTimeOffset() >= one.GetProperty("receivedAt").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("/messages?state=lost")]
    [InlineData("/messages?_count=0")]
    [InlineData("/messages?_count=501")]
    [InlineData("/messages?since=yesterday")]
    [InlineData("/messages?cursor=abc")]
    public async Task A_listing_with_a_parameter_it_cannot_read_is_400_with_an_operation_outcome(string path)
    {
        var (status, body) = await SendAsync(Embedded(), HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("OperationOutcome", body.GetProperty("resourceType").GetString());
        Assert.Equal("invalid", body.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_stats_give_the_queue_and_the_last_hour_per_feed_and_a_history_its_steps()
    {
        var client = Embedded();
        var id = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
        await client.SettledAsync(id);

        var stats = await client.GetJsonAsync("/messages/stats");
        var history = await client.GetJsonAsync($"/messages/{id}/history");
        var (missing, outcome) = await SendAsync(client, HttpMethod.Get, "/messages/nope/history");

        var feed = Assert.Single(stats.GetProperty("feeds").EnumerateArray());
        Assert.Equal("default", feed.GetProperty("feed").GetString());
        Assert.Equal(0, feed.GetProperty("queued").GetInt64());
        Assert.Equal(0, feed.GetProperty("deadLettered").GetInt64());
        Assert.Equal(0, feed.GetProperty("oldestWaitingSeconds").GetDouble());
        var hour = feed.GetProperty("lastHour");
        Assert.Equal(1, hour.GetProperty("received").GetInt64());
        Assert.Equal(1, hour.GetProperty("completed").GetInt64());
        Assert.True(hour.GetProperty("latencyP95Ms").GetDouble() >= hour.GetProperty("latencyP50Ms").GetDouble());
        Assert.Equal(["received", "completed"], history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToList());
        Assert.Equal(1, history.GetProperty("events")[1].GetProperty("attempt").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("not-found", outcome.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Dead_letters_the_server_caused_are_listed_with_their_reasons_and_resubmitted_by_filter_once_the_patient_is_registered()
    {
        var (server, client) = WithServer();
        var id = await client.PostAsync(ServiceCalls.Example("example-peroneal-transaction.json"));
        Assert.Equal("dead-lettered", (await client.SettledAsync(id)).GetProperty("state").GetString());

        var dead = await client.GetJsonAsync("/messages?state=dead-lettered");
        var stats = await client.GetJsonAsync("/messages/stats");
        var reasons = dead.GetProperty("messages")[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        var (dryStatus, dry) = await SendAsync(client, HttpMethod.Post, "/messages/resubmit", """{"state":"dead-lettered","reason":"processing","dryRun":true}""");
        var (_, otherReason) = await SendAsync(client, HttpMethod.Post, "/messages/resubmit", """{"state":"dead-lettered","reason":"throttled","dryRun":true}""");
        var (_, earlier) = await SendAsync(client, HttpMethod.Post, "/messages/resubmit", """{"state":"dead-lettered","until":"2020-01-01T00:00:00Z"}""");

        Assert.Equal([id], Ids(dead));
        Assert.Contains("processing", reasons);
        Assert.Equal(1, stats.GetProperty("feeds")[0].GetProperty("deadLettered").GetInt64());
        Assert.Equal(HttpStatusCode.OK, dryStatus);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, dry.GetProperty("matched").GetInt64());
        Assert.Equal(0, dry.GetProperty("resubmitted").GetInt32());
        Assert.Equal([id], dry.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList());
        Assert.Equal(0, otherReason.GetProperty("matched").GetInt64());
        Assert.Equal(0, earlier.GetProperty("matched").GetInt64());
        Assert.Equal("dead-lettered", (await client.GetJsonAsync($"/messages/{id}")).GetProperty("state").GetString());

        using var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(
            """{"resourceType":"Patient","identifier":[{"system":"https://ehr.example.org/sid/mrn","value":"MRN-54539514"}]}"""));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var (status, resubmitted) = await SendAsync(client, HttpMethod.Post, "/messages/resubmit", """{"state":"dead-lettered","feed":"default","reason":"processing"}""");
        var written = await client.SettledAsync(id);
        var history = await client.GetJsonAsync($"/messages/{id}/history");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, resubmitted.GetProperty("resubmitted").GetInt32());
        Assert.Equal("completed", written.GetProperty("state").GetString());
        var steps = history.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["received", "dead-lettered", "resubmitted", "completed"], steps.Select(e => e.GetProperty("event").GetString()!).ToList());
        Assert.Contains("processing", steps[1].GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2, steps[3].GetProperty("attempt").GetInt32());
    }

    [Theory]
    [InlineData("""{"id":"nope"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"feed":"default"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"state":"completed"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"state":"dead-lettered","since":"soon"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"state":"dead-lettered","dryRun":"yes"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"state":"dead-lettered","everything":true}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"id":"x","reason":"processing"}""", HttpStatusCode.BadRequest)]
    [InlineData("""[1]""", HttpStatusCode.BadRequest)]
    [InlineData("""not json""", HttpStatusCode.BadRequest)]
    public async Task A_resubmission_it_cannot_take_is_refused_with_an_operation_outcome(string body, HttpStatusCode expected)
    {
        var (status, outcome) = await SendAsync(Embedded(), HttpMethod.Post, "/messages/resubmit", body);

        Assert.Equal(expected, status);
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
    }

    [Fact]
    public async Task A_completed_message_resubmitted_by_id_is_409_and_stays_completed()
    {
        var client = Embedded();
        var id = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
        await client.SettledAsync(id);

        var (status, _) = await SendAsync(client, HttpMethod.Post, "/messages/resubmit", $$"""{"id":"{{id}}"}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("completed", (await client.GetJsonAsync($"/messages/{id}")).GetProperty("state").GetString());
    }
}

/// <summary>With tokens: the messages API needs the feed's token with the operator role; /metrics a token with the metrics role.</summary>
public sealed class OperatorAccessTests : IDisposable
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly ServiceFactory service = new(new()
    {
        ["Security:RequireToken"] = "true",
        ["Security:SigningKey"] = Convert.ToBase64String(Key),
        ["Security:Audience"] = "fhirmmn",
    });

    public void Dispose() => service.Dispose();

    private static string Token(string? feed, params string[] roles)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "engineer" };
        if (feed is not null)
        {
            claims["fhirmmn_feed"] = feed;
        }

        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Audience = "fhirmmn",
            Claims = claims,
            NotBefore = now.AddMinutes(-1),
            IssuedAt = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task<HttpStatusCode> GetAsync(string path, string? token)
    {
        var client = service.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }

    [Fact]
    public async Task The_messages_api_needs_the_operator_role_with_the_feeds_claim()
    {
        var operatorToken = Token("default", "FhirMmn.Operator");

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/messages", null));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages", Token("default")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages", Token("default", "FhirMmn.Metrics")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages", Token("other", "FhirMmn.Operator")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages", Token(null, "FhirMmn.Operator")));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/messages", operatorToken));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/messages", Token("default", "Reader", "FhirMmn.Operator")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages?feed=other", operatorToken));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/messages/stats", operatorToken));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/messages/stats", Token("default")));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync("/messages/nope/history", operatorToken));
    }

    [Fact]
    public async Task Resubmission_needs_the_operator_role_and_metrics_the_metrics_role()
    {
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("default"));
        using var feedOnly = await client.PostAsync(new Uri("/messages/nope/resubmit", UriKind.Relative), null);
        using var filterFeedOnly = await client.PostAsync(new Uri("/messages/resubmit", UriKind.Relative),
            new StringContent("""{"state":"dead-lettered","dryRun":true}""", Encoding.UTF8, "application/json"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("default", "FhirMmn.Operator"));
        using var asOperator = await client.PostAsync(new Uri("/messages/nope/resubmit", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, feedOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, filterFeedOnly.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, asOperator.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/metrics", null));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/metrics", Token("default", "FhirMmn.Operator")));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/metrics", Token(null, "FhirMmn.Metrics")));
    }
}
