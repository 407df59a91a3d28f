using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FhirMmn.Service.Tests;

/// <summary>HTTP intake with the embedded store: accepted bundles are assessed and served; refusals carry an OperationOutcome.</summary>
public sealed class IntakeTests : IDisposable
{
    private readonly ServiceFactory service = new();

    public void Dispose() => service.Dispose();

    public static TheoryData<string, string, string> Examples => new()
    {
        { "example-definite-ulnar-forearm.json", "pat-example-definite-ulnar-forearm", "definite" },
        { "example-insufficient-no-area.json", "pat-example-insufficient-no-area", "insufficient-data" },
        { "example-not-met-umn-signs.json", "pat-example-not-met-umn-signs", "criteria-not-met" },
        { "example-probable-two-nerves.json", "pat-probable-two-nerves", "probable" },
        { "example-possible-one-nerve.json", "pat-possible-one-nerve", "possible" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task A_posted_example_is_assessed_and_its_report_read_back_by_subject(string example, string patient, string category)
    {
        var client = service.CreateClient();

        var id = await client.PostAsync(ServiceCalls.Example(example));
        var status = await client.SettledAsync(id);

        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Contains(status.GetProperty("written").EnumerateArray(), w => w.GetString()!.StartsWith("DiagnosticReport/", StringComparison.Ordinal));
        var reports = await client.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{patient}");
        Assert.Equal(1, reports.GetProperty("total").GetInt32());
        var report = reports.GetProperty("entry")[0].GetProperty("resource");
        Assert.Equal(category, ServiceCalls.Category(report));
        Assert.Equal("preliminary", report.GetProperty("status").GetString());
        var plans = await client.GetJsonAsync($"/fhir/CarePlan?subject=Patient/{patient}");
        Assert.Equal(1, plans.GetProperty("total").GetInt32());
        var provenance = await client.GetJsonAsync($"/fhir/Provenance?patient=Patient/{patient}");
        Assert.Equal(1, provenance.GetProperty("total").GetInt32());
        var reportId = report.GetProperty("id").GetString();
        Assert.Equal($"DiagnosticReport/{reportId}", provenance.GetProperty("entry")[0].GetProperty("resource").GetProperty("target")[0].GetProperty("reference").GetString());
        Assert.Equal(reportId, (await client.GetJsonAsync($"/fhir/DiagnosticReport/{reportId}")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_care_plan_read_back_references_the_stored_report()
    {
        var client = service.CreateClient();
        await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));

        var plan = (await client.GetJsonAsync("/fhir/CarePlan?subject=Patient/pat-example-definite-ulnar-forearm")).GetProperty("entry")[0].GetProperty("resource");
        var report = (await client.GetJsonAsync("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm")).GetProperty("entry")[0].GetProperty("resource");

        Assert.Equal($"DiagnosticReport/{report.GetProperty("id").GetString()}", plan.GetProperty("supportingInfo")[0].GetProperty("reference").GetString());
        Assert.Equal("draft", plan.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_report_of_a_patient_known_only_by_identifier_is_found_by_that_identifier()
    {
        var client = service.CreateClient();
        await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-peroneal-transaction.json")));
        const string Mrn = "https://ehr.example.org/sid/mrn|MRN-54539514";

        foreach (var query in new[]
        {
            $"subject:identifier={Uri.EscapeDataString(Mrn)}",
            $"patient:identifier={Uri.EscapeDataString(Mrn)}",
            $"subject={Uri.EscapeDataString("Patient?identifier=" + Mrn)}",
        })
        {
            var reports = await client.GetJsonAsync($"/fhir/DiagnosticReport?{query}");
            Assert.True(reports.GetProperty("total").GetInt32() == 1, query);
            var subject = reports.GetProperty("entry")[0].GetProperty("resource").GetProperty("subject");
            Assert.Equal("MRN-54539514", subject.GetProperty("identifier").GetProperty("value").GetString());
            Assert.Equal(1, (await client.GetJsonAsync($"/fhir/CarePlan?{query}")).GetProperty("total").GetInt32());
            Assert.Equal(1, (await client.GetJsonAsync($"/fhir/Provenance?{query}")).GetProperty("total").GetInt32());
        }

        Assert.Equal(0, (await client.GetJsonAsync($"/fhir/DiagnosticReport?subject:identifier={Uri.EscapeDataString("https://ehr.example.org/sid/mrn|MRN-1")}")).GetProperty("total").GetInt32());
        using var noSystem = await client.GetAsync(new Uri("/fhir/DiagnosticReport?subject:identifier=MRN-54539514", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, noSystem.StatusCode);
        Assert.Contains("system|value", await noSystem.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, HttpStatusCode> Refusals => new()
    {
        { "application/fhir+json", "{\"resourceType\":\"Bundle\",", HttpStatusCode.BadRequest },
        { "application/fhir+json", "{\"resourceType\":\"Patient\",\"id\":\"x\"}", HttpStatusCode.BadRequest },
        { "application/fhir+json", "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}", HttpStatusCode.UnprocessableEntity },
        { "text/plain", "hello", HttpStatusCode.UnsupportedMediaType },
        { "application/xml", "<Bundle/>", HttpStatusCode.UnsupportedMediaType },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bundle_that_cannot_be_accepted_is_refused_at_once_with_an_outcome_named_by_the_correlation_id(string contentType, string body, HttpStatusCode expected)
    {
        var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Bundle") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Correlation-Id", "test-correlation-1");

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal("test-correlation-1", outcome.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_contract_violation_names_its_location()
    {
        var bundle = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        bundle["entry"]![4]!["resource"]!["subject"]!["reference"] = "Patient/someone-else";

        using var response = await service.CreateClient().PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(bundle.ToJsonString()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0];
        Assert.Equal("Bundle.entry[4].resource.subject", issue.GetProperty("expression")[0].GetString());
    }

    [Fact]
    public async Task A_bundle_over_the_size_limit_is_refused_with_413_by_length_and_when_streamed()
    {
        using var small = new ServiceFactory(new() { ["FhirMmn:MaxBundleBytes"] = "4096" });
        var client = small.CreateClient();
        var big = ServiceCalls.Example("example-definite-ulnar-forearm.json");

        using var declared = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(big));
        using var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Bundle") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Contains("OperationOutcome", await chunked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_addresses_and_methods_answer_with_an_outcome()
    {
        var client = service.CreateClient();

        using var missing = await client.GetAsync(new Uri("/nowhere", UriKind.Relative));
        using var patient = await client.GetAsync(new Uri("/fhir/Patient/1", UriKind.Relative));
        using var method = await client.DeleteAsync(new Uri("/fhir/Bundle", UriKind.Relative));
        using var unknownMessage = await client.GetAsync(new Uri("/messages/nope", UriKind.Relative));

        foreach (var response in new[] { missing, patient, method, unknownMessage })
        {
            Assert.True((int)response.StatusCode is 404 or 405, response.StatusCode.ToString());
            Assert.Contains("OperationOutcome", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_and_metadata_answer()
    {
        var client = service.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        var metadata = await client.GetJsonAsync("/fhir/metadata");
        Assert.Equal("CapabilityStatement", metadata.GetProperty("resourceType").GetString());
        Assert.Equal("4.0.1", metadata.GetProperty("fhirVersion").GetString());
        var validation = FhirMmn.Testing.IndependentValidators.Validate(metadata.GetRawText());
        Assert.True(validation.Valid, validation.ToString());
    }
}
