using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace FhirMmn.Service.Tests;

/// <summary>
/// No patient data in logs: not identifiers, names, dates of birth, values, nor message bodies; and the request
/// events carry the route template, never the path, the query string, a header or the body. Both what goes through
/// Microsoft.Extensions.Logging and what Serilog writes (rendered as the console's JSON lines) are read.
/// </summary>
public sealed class LogPrivacyTests : IDisposable
{
    private readonly SerilogCapture serilog = new();
    private readonly ServiceFactory service;

    public LogPrivacyTests()
    {
        service = new(new() { ["Serilog:MinimumLevel:Default"] = "Debug" }, services => services.AddSingleton<ILogEventSink>(serilog));
    }

    public void Dispose() => service.Dispose();

    [Fact]
    public async Task A_whole_flow_of_accepted_refused_and_dead_lettered_bundles_logs_no_patient_data()
    {
        var client = service.CreateClient();
        var bundle = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        var patient = bundle["entry"]![0]!["resource"]!.AsObject();
        patient["identifier"] = new JsonArray(new JsonObject { ["system"] = "https://ehr.example.org/sid/mrn", ["value"] = "MRN-7781234" });
        patient["name"] = new JsonArray(new JsonObject { ["family"] = "Zwartkruis", ["given"] = new JsonArray("Hendrika") });
        // Values distinctive enough that no elapsed time or count can match them by chance.
        bundle["entry"]![1]!["resource"]!["valueQuantity"]!["value"] = 10.2417m;
        bundle["entry"]![1]!["resource"]!["component"]![2]!["valueQuantity"]!["value"] = 26.0391m;
        var secrets = new[] { "MRN-7781234", "Zwartkruis", "Hendrika", "1971-03-02", "pat-example-definite-ulnar-forearm", "example-definite-ulnar-forearm-obs", "10.2417", "26.0391", "2026-10-14" };

        await client.SettledAsync(await client.PostAsync(bundle.ToJsonString()));
        bundle["entry"]![4]!["resource"]!["subject"]!["reference"] = "Patient/Zwartkruis-Hendrika";
        using var refused = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(bundle.ToJsonString()));
        await client.GetAsync(new Uri("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm", UriKind.Relative));

        Assert.NotEmpty(service.Logs.Events);
        Assert.Contains(service.Logs.Events, e => e.Contains("category definite", StringComparison.Ordinal));
        Assert.Contains(serilog.Lines, e => e.Contains("\"Category\":\"definite\"", StringComparison.Ordinal));
        foreach (var line in service.Logs.Events.Concat(serilog.Lines))
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"'{secret}' logged: {line}");
            }
        }
    }

    [Fact]
    public async Task Request_events_carry_method_route_template_status_and_time_and_nothing_the_caller_sent()
    {
        var client = service.CreateClient();
        var planted = new[] { "PLANTED-PATH-4471", "PLANTED-QUERY-8823", "PLANTED-HEADER-1937", "PLANTED-AGENT-5512", "PLANTED-TOKEN-6604", "PLANTED-COOKIE-3390", "PLANTED-BODY-2718", "PLANTED-FORM-9041" };
        client.DefaultRequestHeaders.Add("X-Planted", "PLANTED-HEADER-1937");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("PLANTED-AGENT-5512");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "PLANTED-TOKEN-6604");
        client.DefaultRequestHeaders.Add("Cookie", "session=PLANTED-COOKIE-3390");
        var bundle = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        bundle["entry"]![0]!["resource"]!["identifier"] = new JsonArray(new JsonObject { ["system"] = "https://ehr.example.org/sid/mrn", ["value"] = "PLANTED-BODY-2718" });

        var id = await client.PostAsync(bundle.ToJsonString());
        await client.SettledAsync(id);
        using var read = await client.GetAsync(new Uri("/fhir/DiagnosticReport/PLANTED-PATH-4471?_count=PLANTED-QUERY-8823", UriKind.Relative));
        using var search = await client.GetAsync(new Uri("/fhir/DiagnosticReport?subject=Patient/PLANTED-QUERY-8823", UriKind.Relative));
        using var refused = await client.PostAsync(new Uri("/fhir/Bundle?PLANTED-QUERY-8823=1", UriKind.Relative), ServiceCalls.Bundle("{\"resourceType\":\"Bundle\",\"PLANTED-BODY-2718\":1}"));
        using var form = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), new FormUrlEncodedContent([new("PLANTED-FORM-9041", "PLANTED-FORM-9041")]));
        using var nowhere = await client.GetAsync(new Uri("/PLANTED-PATH-4471/PLANTED-PATH-4471", UriKind.Relative));

        var requests = serilog.Lines.Where(l => l.Contains("Serilog.AspNetCore.RequestLoggingMiddleware", StringComparison.Ordinal)).ToList();
        Assert.Contains(requests, l => l.Contains("\"RenderedMessage\":\"HTTP POST /fhir/Bundle answered 202 in ", StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP GET /messages/{id} answered 200 in ", StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP GET /fhir/{type}/{id} answered " + (int)read.StatusCode, StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP GET /fhir/{type} answered " + (int)search.StatusCode, StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP POST /fhir/Bundle answered " + (int)refused.StatusCode, StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP POST /fhir/Bundle answered " + (int)form.StatusCode, StringComparison.Ordinal));
        Assert.Contains(requests, l => l.Contains("HTTP GET (no route) answered 404", StringComparison.Ordinal));
        Assert.All(requests, l => Assert.Contains("\"CorrelationId\":", l, StringComparison.Ordinal));
        // What is written is what Serilog renders, scopes included (the hosting scope's RequestPath is dropped by
        // the service's enricher). The capture beside it renders every scope raw, so of its events only the
        // messages and their properties are read here.
        foreach (var line in service.Logs.Events.Select(e => e.Split(" || ")[0]).Concat(serilog.Lines))
        {
            foreach (var value in planted)
            {
                Assert.False(line.Contains(value, StringComparison.Ordinal), $"'{value}' logged: {line}");
            }
        }
    }

    /// <summary>Every event Serilog writes, rendered as the production console renders it (JSON lines).</summary>
    private sealed class SerilogCapture : ILogEventSink
    {
        private readonly JsonFormatter formatter = new(renderMessage: true);
        private readonly ConcurrentQueue<string> lines = new();

        public IEnumerable<string> Lines => lines;

        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            formatter.Format(logEvent, writer);
            lines.Enqueue(writer.ToString());
        }
    }
}
