using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Client;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The FHIR server client as the service registers it (Firely's client over the named HttpClient: authentication,
/// the Microsoft.Extensions.Http.Resilience pipeline), in front of a scripted server. Which failed calls it sends again
/// by itself: a read always, a transaction only when the failure shows it was not applied. Otherwise the caller is told
/// the outcome is unknown, so it reads before writing again. What a failure says reaches the caller as status and
/// issue codes, never as text that quotes the server's answer.
/// </summary>
public sealed class ResilienceTests : IDisposable
{
    private const string PatientValue = "PHI-7731";

    private readonly List<ServiceProvider> providers = [];

    public enum Failure
    {
        LostAfterSending,
        Refused,
        ServerError,
        NotImplemented,
        Unavailable,
        BadGateway,
        GatewayTimeout,
    }

    public void Dispose()
    {
        foreach (var provider in providers)
        {
            provider.Dispose();
        }
    }

    private static Bundle Transaction() => new() { Type = Bundle.BundleType.Transaction };

    [Theory]
    [InlineData(Failure.LostAfterSending, 1, true)]
    [InlineData(Failure.BadGateway, 1, true)]
    [InlineData(Failure.GatewayTimeout, 1, true)]
    [InlineData(Failure.Refused, 3, false)]
    [InlineData(Failure.ServerError, 3, false)]
    [InlineData(Failure.NotImplemented, 3, false)]
    [InlineData(Failure.Unavailable, 3, false)]
    public async Task A_transaction_is_sent_again_only_when_the_failure_shows_it_was_not_applied(Failure failure, int expectedCalls, bool outcomeUnknown)
    {
        var server = new ScriptedServer(_ => Fail(failure));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));

        Assert.Equal(expectedCalls, server.Calls);
        Assert.Equal(outcomeUnknown, error.OutcomeUnknown);
        Assert.True(error.IsTransient);
    }

    [Theory]
    [InlineData(Failure.LostAfterSending)]
    [InlineData(Failure.BadGateway)]
    [InlineData(Failure.GatewayTimeout)]
    [InlineData(Failure.ServerError)]
    public async Task A_read_is_sent_again_whatever_the_failure(Failure failure)
    {
        var server = new ScriptedServer(_ => Fail(failure));
        using var client = Client(server);

        await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", "identifier=x", CancellationToken.None));

        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task An_attempt_that_outlasts_the_timeout_leaves_a_transaction_unknown_and_is_sent_again_only_for_a_read()
    {
        var server = new ScriptedServer(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = Client(server, timeout: TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));
        Assert.Equal((1, 0, true, true), (server.Calls, error.StatusCode, error.OutcomeUnknown, error.IsTransient));

        await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", "identifier=x", CancellationToken.None));
        Assert.Equal(4, server.Calls);
    }

    [Fact]
    public async Task A_throttled_call_is_not_sent_again_and_tells_when_to_come_back()
    {
        var server = new ScriptedServer(_ =>
        {
            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            throttled.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return throttled;
        });
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));

        Assert.Equal(1, server.Calls);
        Assert.Equal((429, true, false), (error.StatusCode, error.IsTransient, error.OutcomeUnknown));
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task A_version_conflict_is_reported_as_a_conflict_and_not_sent_again()
    {
        var server = new ScriptedServer(_ => new HttpResponseMessage(HttpStatusCode.PreconditionFailed));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));

        Assert.Equal(1, server.Calls);
        Assert.Equal((412, true, false, false), (error.StatusCode, error.IsConflict, error.IsTransient, error.OutcomeUnknown));
    }

    [Fact]
    public async Task A_refusal_keeps_the_servers_issues_and_no_message_quotes_its_answer()
    {
        var server = new ScriptedServer(_ => Fhir(HttpStatusCode.UnprocessableEntity,
            $$"""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","details":{"text":"Patient?identifier matched no resource"},"diagnostics":"{{PatientValue}}","expression":["Bundle.entry[1]"]}]}"""));
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));

        Assert.Equal((1, 422, false, false, false), (server.Calls, error.StatusCode, error.IsTransient, error.IsConflict, error.OutcomeUnknown));
        var issue = Assert.Single(error.Outcome!.Issue);
        Assert.Equal(("error", "processing", "Patient?identifier matched no resource"), (issue.Severity, issue.Code, issue.Details!.Text));
        Assert.Equal(["Bundle.entry[1]"], issue.Expression!);
        Assert.DoesNotContain(PatientValue, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html", "<html><body>" + PatientValue + "</body></html>")]
    [InlineData("application/fhir+json", "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[{\"response\":{\"status\":" + PatientValue + "}}]}")]
    [InlineData("application/fhir+json", "not json " + PatientValue)]
    public async Task An_answer_that_is_not_fhir_is_a_bad_gateway_whose_message_quotes_nothing(string contentType, string body)
    {
        var server = new ScriptedServer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, contentType) });
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(Transaction(), CancellationToken.None));

        Assert.Equal(502, error.StatusCode);
        Assert.Null(error.InnerException);
        Assert.DoesNotContain(PatientValue, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_server_opens_the_circuit_and_later_calls_do_not_reach_it()
    {
        var server = new ScriptedServer(_ => Fail(Failure.ServerError));
        using var client = Client(server, attempts: 1);
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", "identifier=x", CancellationToken.None));
        }

        var paused = await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", "identifier=x", CancellationToken.None));

        Assert.Equal(10, server.Calls);
        Assert.Equal((0, true, false), (paused.StatusCode, paused.IsTransient, paused.OutcomeUnknown));
        Assert.NotNull(paused.RetryAfter);
    }

    [Fact]
    public async Task A_transaction_is_posted_as_fhir_json_to_the_base_and_its_answer_read_back()
    {
        HttpRequestMessage? sent = null;
        string? body = null;
        var server = new ScriptedServer(async (request, cancellationToken) =>
        {
            sent = request;
            body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return Fhir(HttpStatusCode.OK,
                """{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"201 Created","location":"DiagnosticReport/7/_history/1"}}]}""");
        });
        using var client = Client(server);
        var transaction = Transaction();
        transaction.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = "urn:uuid:00000000-0000-4000-8000-000000000001",
            Resource = new Device { Manufacturer = "FhirMmn" },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Device" },
        });

        var answer = await client.TransactionAsync(transaction, CancellationToken.None);

        Assert.Equal("DiagnosticReport/7/_history/1", answer.Entry[0].Response!.Location);
        Assert.Equal((HttpMethod.Post, "http://fhir.invalid/base"), (sent!.Method, sent.RequestUri!.AbsoluteUri));
        Assert.Equal("application/fhir+json", sent.Content!.Headers.ContentType!.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FhirMmn.Fhir.Model.FhirJson.Serialize(transaction)), JsonNode.Parse(body!)), body);
    }

    [Fact]
    public async Task A_search_goes_out_as_escaped_and_finds_none_one_or_too_many()
    {
        var matches = 0;
        Uri? asked = null;
        var server = new ScriptedServer(request =>
        {
            asked = request.RequestUri;
            var entries = string.Join(",", Enumerable.Range(1, matches).Select(i =>
                "{\"resource\":{\"resourceType\":\"DiagnosticReport\",\"id\":\"r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + "\",\"meta\":{\"versionId\":\"2\"},\"status\":\"preliminary\",\"code\":{\"text\":\"x\"}}}"));
            return Fhir(HttpStatusCode.OK, $$"""{"resourceType":"Bundle","type":"searchset","entry":[{{entries}}]}""".Replace("\"entry\":[]", "\"total\":0", StringComparison.Ordinal));
        });
        using var client = Client(server);
        const string query = "identifier=http%3A%2F%2Ffhirmmn.org%2Ffhir%2Fsid%2Fassessment|a%20b";

        Assert.Null(await client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", query, CancellationToken.None));
        Assert.Equal("http://fhir.invalid/base/DiagnosticReport?identifier=http%3A%2F%2Ffhirmmn.org%2Ffhir%2Fsid%2Fassessment%7Ca%20b", asked!.AbsoluteUri);
        matches = 1;
        var one = await client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", query, CancellationToken.None);
        Assert.Equal(("r1", "2"), (one!.Id, one.Meta!.VersionId));
        matches = 2;
        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", query, CancellationToken.None));
        Assert.True(error.MultipleMatches);
        Assert.False(error.IsConflict);
    }

    private static HttpResponseMessage Fhir(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };

    private static HttpResponseMessage Fail(Failure failure) => failure switch
    {
        Failure.LostAfterSending => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed before the answer."),
        Failure.Refused => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused."),
        Failure.ServerError => new HttpResponseMessage(HttpStatusCode.InternalServerError),
        Failure.NotImplemented => new HttpResponseMessage(HttpStatusCode.NotImplemented),
        Failure.Unavailable => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
        Failure.BadGateway => new HttpResponseMessage(HttpStatusCode.BadGateway),
        Failure.GatewayTimeout => new HttpResponseMessage(HttpStatusCode.GatewayTimeout),
        _ => throw new InvalidOperationException($"No such failure: {failure}."),
    };

    /// <summary>The client as the service builds it, with <paramref name="server"/> in place of the network.</summary>
    private FhirServerClient Client(HttpMessageHandler server, int attempts = 3, TimeSpan? timeout = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<FhirServerOptions>().Configure(o =>
        {
            o.BaseUrl = new Uri("http://fhir.invalid/base");
            o.Attempts = attempts;
            o.Timeout = timeout ?? TimeSpan.FromSeconds(10);
        });
        services.AddFhirServerClients();
        services.AddHttpClient(ServiceRegistration.FhirServerClient).ConfigurePrimaryHttpMessageHandler(() => server);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<FhirServerClients>().Create();
    }

    private sealed class ScriptedServer(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        private int calls;

        public ScriptedServer(Func<HttpRequestMessage, HttpResponseMessage> answer)
            : this((request, _) => Task.FromResult(answer(request)))
        {
        }

        public int Calls => calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            return answer(request, cancellationToken);
        }
    }
}
