using System.Diagnostics;
using System.Net;
using System.Text;
using OpenTelemetry.Trace;

namespace FhirMmn.Service.Tests;

/// <summary>
/// No patient data in the operations surfaces: a bundle with planted values (<see cref="Planted"/>) is dead-lettered
/// by the real FHIR server and then written; the messages API's answers, /metrics (every label) and every span's
/// name, attributes and events hold none of them. The page is checked in AdminPageTests, in the browser.
/// </summary>
public sealed class OperationsPrivacyTests : IDisposable
{
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }
    }

    private static async Task<string> TextAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private static string Spans(List<Activity> spans)
    {
        lock (spans)
        {
            var text = new StringBuilder();
            foreach (var span in spans)
            {
                text.Append(span.DisplayName).Append(' ').Append(span.OperationName).Append(' ').Append(span.StatusDescription).Append('\n');
                foreach (var tag in span.TagObjects)
                {
                    text.Append(tag.Key).Append('=').Append(tag.Value).Append('\n');
                }

                foreach (var e in span.Events)
                {
                    text.Append(e.Name).Append('\n');
                    foreach (var tag in e.Tags)
                    {
                        text.Append(tag.Key).Append('=').Append(tag.Value).Append('\n');
                    }
                }

                foreach (var item in span.Baggage)
                {
                    text.Append(item.Key).Append('=').Append(item.Value).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    [Fact]
    public async Task Planted_patient_data_appears_in_no_api_answer_metric_label_or_span()
    {
        var server = FhirServerProcess.Start();
        started.Add(server);
        var spans = new List<Activity>();
        var service = new ServiceFactory(
            new() { ["FhirServer:BaseUrl"] = server.BaseUrl.ToString() },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        started.Add(service);
        var client = service.CreateClient();
        var bundle = Planted.Bundle();
        Assert.All(Planted.Values, value => Assert.Contains(value, bundle, StringComparison.Ordinal));

        var id = await client.PostAsync(bundle);
        Assert.Equal("dead-lettered", (await client.SettledAsync(id)).GetProperty("state").GetString());
        var surfaces = new List<(string Name, string Text)>();
        async Task CollectAsync(string when)
        {
            foreach (var path in new[] { "/messages", "/messages?state=dead-lettered", "/messages?state=completed", "/messages/stats", $"/messages/{id}/history", $"/messages/{id}", "/metrics" })
            {
                surfaces.Add(($"{when} GET {path}", await TextAsync(client, HttpMethod.Get, path)));
            }

            surfaces.Add(($"{when} dry run", await TextAsync(client, HttpMethod.Post, "/messages/resubmit", """{"state":"dead-lettered","dryRun":true}""")));
        }

        await CollectAsync("dead-lettered:");
        using var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(Planted.PatientJson));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        surfaces.Add(("resubmit", await TextAsync(client, HttpMethod.Post, "/messages/resubmit", $$"""{"id":"{{id}}"}""")));
        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("state").GetString());

        // The counters move just after the settlement the state shows, and the exporter caches a scrape for 300 ms.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(await TextAsync(client, HttpMethod.Get, "/metrics")).Contains("fhirmmn_bundles_written_total", StringComparison.Ordinal)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await CollectAsync("completed:");
        surfaces.Add(("spans", Spans(spans)));

        Assert.Contains(surfaces, s => s.Text.Contains(id, StringComparison.Ordinal));
        Assert.Contains(surfaces, s => s.Name.EndsWith("/metrics", StringComparison.Ordinal) && s.Text.Contains("fhirmmn_bundles_written_total", StringComparison.Ordinal));
        Assert.Contains("process message", surfaces[^1].Text, StringComparison.Ordinal);
        foreach (var (name, text) in surfaces)
        {
            Planted.AssertAbsent(name, text);
        }
    }
}
