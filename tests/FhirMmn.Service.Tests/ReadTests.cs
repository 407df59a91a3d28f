using System.Net;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Reads that behave like FHIR: pages with total, self and next links and a stable cursor; a malformed _count or
/// cursor is 400; unknown parameters are refused unless the client asks for lenient handling; with a FHIR server
/// configured the reads and the CapabilityStatement say the results are there.
/// </summary>
public sealed class ReadTests : IDisposable
{
    private static readonly string[] ThreePatients =
        ["example-definite-ulnar-forearm.json", "example-probable-two-nerves.json", "example-possible-one-nerve.json"];

    private readonly ServiceFactory service = new();

    public void Dispose() => service.Dispose();

    private async Task<HttpClient> WithReportsAsync(params string[] examples)
    {
        var client = service.CreateClient();
        foreach (var example in examples)
        {
            Assert.Equal("completed", (await client.SettledAsync(await client.PostAsync(ServiceCalls.Example(example)))).GetProperty("state").GetString());
        }

        return client;
    }

    private static string? Link(JsonElement bundle, string relation) =>
        bundle.GetProperty("link").EnumerateArray().Where(l => l.GetProperty("relation").GetString() == relation).Select(l => l.GetProperty("url").GetString()).SingleOrDefault();

    private static List<string> Ids(JsonElement bundle) =>
        bundle.TryGetProperty("entry", out var entries)
            ? entries.EnumerateArray().Where(e => e.GetProperty("search").GetProperty("mode").GetString() == "match").Select(e => e.GetProperty("resource").GetProperty("id").GetString()!).ToList()
            : [];

    private static string PathOf(string url) => new Uri(url).PathAndQuery;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Count_pages_the_results_with_a_next_link_until_the_last_page_and_total_counts_them_all()
    {
        var client = await WithReportsAsync(ThreePatients);

        var first = await client.GetJsonAsync("/fhir/DiagnosticReport?_count=2");
        var second = await client.GetJsonAsync(PathOf(Link(first, "next")!));
        var whole = await client.GetJsonAsync("/fhir/DiagnosticReport?_count=3");

        Assert.Equal((3, 2), (first.GetProperty("total").GetInt32(), Ids(first).Count));
        Assert.EndsWith("/fhir/DiagnosticReport?_count=2", Link(first, "self"), StringComparison.Ordinal);
        Assert.Equal((3, 1), (second.GetProperty("total").GetInt32(), Ids(second).Count));
        Assert.Null(Link(second, "next"));
        Assert.Contains("_cursor=", Link(second, "self"), StringComparison.Ordinal);
        Assert.Equal(Ids(whole).Order(), Ids(first).Concat(Ids(second)).Order());
        Assert.Equal(3, Ids(whole).Distinct().Count());
        Assert.Null(Link(whole, "next"));
        foreach (var page in new[] { first, second })
        {
            var validation = IndependentValidators.Validate(page.GetRawText());
            Assert.True(validation.Valid, validation.ToString());
        }
    }

    [Fact]
    public async Task The_next_link_keeps_the_search_and_a_report_written_between_pages_does_not_shift_them()
    {
        var client = await WithReportsAsync(ThreePatients);
        var all = Ids(await client.GetJsonAsync("/fhir/DiagnosticReport"));

        var first = await client.GetJsonAsync("/fhir/DiagnosticReport?_count=1");
        await WithReportsAsync("example-not-met-umn-signs.json");
        var second = await client.GetJsonAsync(PathOf(Link(first, "next")!));
        var third = await client.GetJsonAsync(PathOf(Link(second, "next")!));

        Assert.Equal(all, Ids(first).Concat(Ids(second)).Concat(Ids(third)).ToList());
        Assert.Null(Link(third, "next"));
        Assert.Contains("_count=1", Link(second, "next"), StringComparison.Ordinal);

        var subject = await client.GetJsonAsync("/fhir/DiagnosticReport?subject=Patient/pat-probable-two-nerves&_count=1");
        Assert.Equal(1, subject.GetProperty("total").GetInt32());
        Assert.Null(Link(subject, "next"));
        Assert.Contains("subject=Patient%2Fpat-probable-two-nerves", Link(subject, "self"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("1.5")]
    [InlineData("1e2")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1001")]
    [InlineData("99999999999")]
    public async Task A_malformed_count_is_400_not_ignored(string count)
    {
        var (status, body) = await GetAsync(service.CreateClient(), "/fhir/DiagnosticReport?_count=" + Uri.EscapeDataString(count));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("OperationOutcome", body.GetProperty("resourceType").GetString());
        Assert.Contains("_count", body.GetProperty("issue")[0].GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1000")]
    public async Task A_count_from_1_to_1000_is_a_page_size(string count)
    {
        var (status, body) = await GetAsync(service.CreateClient(), "/fhir/DiagnosticReport?_count=" + count);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("searchset", body.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("MS54LmFiYw")]
    [InlineData("MS4xLg")]
    [InlineData("Mi4xLmFiYw")]
    [InlineData("MS4xLmEgYg")]
    public async Task A_cursor_this_service_did_not_give_is_400(string cursor)
    {
        var (status, body) = await GetAsync(service.CreateClient(), "/fhir/DiagnosticReport?_cursor=" + Uri.EscapeDataString(cursor));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("_cursor", body.GetProperty("issue")[0].GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_parameter_is_refused_unless_the_client_prefers_lenient_handling()
    {
        var client = await WithReportsAsync(ThreePatients);
        const string misspelt = "/fhir/DiagnosticReport?subjet=Patient/pat-probable-two-nerves&_count=2";

        var strict = await GetAsync(client, misspelt);
        var askedStrict = await GetAsync(client, misspelt, "handling=strict");
        var both = await GetAsync(client, misspelt, "handling=lenient, handling=strict");
        var lenient = await GetAsync(client, misspelt, "return=minimal; handling=lenient");

        foreach (var (status, body) in new[] { strict, askedStrict, both })
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            var text = body.GetProperty("issue")[0].GetProperty("details").GetProperty("text").GetString()!;
            Assert.Contains("subjet", text, StringComparison.Ordinal);
            Assert.DoesNotContain("pat-probable", text, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, lenient.Status);
        var page = lenient.Body;
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, Ids(page).Count);
        Assert.DoesNotContain("subjet", Link(page, "self"), StringComparison.Ordinal);
        Assert.DoesNotContain("subjet", Link(page, "next"), StringComparison.Ordinal);
        var outcome = page.GetProperty("entry").EnumerateArray().Single(e => e.GetProperty("search").GetProperty("mode").GetString() == "outcome").GetProperty("resource");
        Assert.Equal("warning", outcome.GetProperty("issue")[0].GetProperty("severity").GetString());
        Assert.Contains("subjet", outcome.GetProperty("issue")[0].GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
        var outcomeEntry = page.GetProperty("entry").EnumerateArray().Single(e => e.GetProperty("search").GetProperty("mode").GetString() == "outcome");
        Assert.StartsWith("urn:uuid:", outcomeEntry.GetProperty("fullUrl").GetString(), StringComparison.Ordinal);
        var validation = IndependentValidators.Validate(page.GetRawText());
        Assert.True(validation.Valid, validation.ToString());
    }

    [Fact]
    public async Task A_parameter_given_twice_is_400()
    {
        var (status, _) = await GetAsync(service.CreateClient(), "/fhir/DiagnosticReport?subject=Patient/a&subject=Patient/b");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task The_capability_statement_lists_what_is_served_with_paging()
    {
        var metadata = await service.CreateClient().GetJsonAsync("/fhir/metadata");

        var resources = metadata.GetProperty("rest")[0].GetProperty("resource").EnumerateArray().ToList();
        Assert.Equal(["Bundle", "DiagnosticReport", "CarePlan", "Provenance", "Device", "Observation"], resources.Select(r => r.GetProperty("type").GetString()));
        var report = resources.Single(r => r.GetProperty("type").GetString() == "DiagnosticReport");
        Assert.Contains(report.GetProperty("searchParam").EnumerateArray(), p => p.GetProperty("name").GetString() == "_cursor");
        Assert.Contains("handling=lenient", report.GetProperty("documentation").GetString(), StringComparison.Ordinal);
        var validation = IndependentValidators.Validate(metadata.GetRawText());
        Assert.True(validation.Valid, validation.ToString());
        var nameless = System.Text.Json.Nodes.JsonNode.Parse(metadata.GetRawText())!.AsObject();
        nameless.Remove("name");
        Assert.Contains(FirelyValidator.Validate(nameless.ToJsonString()).Issues, i => i.Contains("cpb-0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm")]
    [InlineData("/fhir/CarePlan?subject=Patient/pat-example-definite-ulnar-forearm")]
    [InlineData("/fhir/Provenance?patient=Patient/pat-example-definite-ulnar-forearm")]
    [InlineData("/fhir/Device")]
    [InlineData("/fhir/Observation")]
    [InlineData("/fhir/DiagnosticReport/any-id")]
    public async Task With_a_fhir_server_configured_the_reads_say_the_results_are_on_it(string path)
    {
        using var withServer = new ServiceFactory(new() { ["FhirServer:BaseUrl"] = "http://127.0.0.1:9/fhir" });

        var (status, body) = await GetAsync(withServer.CreateClient(), path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("OperationOutcome", body.GetProperty("resourceType").GetString());
        var issue = body.GetProperty("issue")[0];
        Assert.Equal("not-found", issue.GetProperty("code").GetString());
        Assert.Contains("hospital's FHIR server", issue.GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_fhir_server_configured_the_capability_statement_serves_only_the_intake_and_says_where_the_results_are()
    {
        using var withServer = new ServiceFactory(new() { ["FhirServer:BaseUrl"] = "http://127.0.0.1:9/fhir" });

        var metadata = await withServer.CreateClient().GetJsonAsync("/fhir/metadata");

        var rest = metadata.GetProperty("rest")[0];
        Assert.Equal(["Bundle"], rest.GetProperty("resource").EnumerateArray().Select(r => r.GetProperty("type").GetString()));
        Assert.Contains("hospital's FHIR server", rest.GetProperty("documentation").GetString(), StringComparison.Ordinal);
        var validation = IndependentValidators.Validate(metadata.GetRawText());
        Assert.True(validation.Valid, validation.ToString());
    }

    [Fact]
    public async Task With_a_fhir_server_configured_but_the_write_back_kept_embedded_the_reads_serve_the_results()
    {
        using var embedded = new ServiceFactory(new() { ["FhirServer:BaseUrl"] = "http://127.0.0.1:9/fhir", ["FhirMmn:WriteBack"] = "embedded" });
        var client = embedded.CreateClient();
        await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));

        var reports = await client.GetJsonAsync("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm");
        var metadata = await client.GetJsonAsync("/fhir/metadata");

        Assert.Equal(1, reports.GetProperty("total").GetInt32());
        Assert.Contains(metadata.GetProperty("rest")[0].GetProperty("resource").EnumerateArray(), r => r.GetProperty("type").GetString() == "DiagnosticReport");
    }
}
