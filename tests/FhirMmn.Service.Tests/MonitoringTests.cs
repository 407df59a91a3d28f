using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// /metrics of the service as its own process (so that no other test's meters mix in): the counts move with the
/// traffic, and the Grafana dashboard and the alert rules in infra/monitoring name only series it serves.
/// </summary>
public sealed partial class MonitoringTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-monitoring-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The process may still hold its store for a moment; the temp folder is cleaned by the OS.
        }
    }

    [GeneratedRegex(@"fhirmmn_[a-z_]+")]
    private static partial Regex MetricName();

    /// <summary>Every sample of the scrape: series name with its labels, to its value.</summary>
    private static Dictionary<string, double> Samples(string scrape) =>
        scrape.Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '))
            .Where(parts => parts.Length >= 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => double.Parse(g.First()[1], CultureInfo.InvariantCulture));

    private static double Sum(Dictionary<string, double> samples, string name, string? label = null) =>
        samples.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && (label is null || s.Key.Contains(label, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_counts_move_with_the_traffic_and_the_dashboard_and_alerts_name_only_series_the_service_serves()
    {
        using var service = ServiceProcess.Start(folder);
        await service.WaitReadyAsync();
        var client = service.Client;
        var before = Samples(await ScrapeAsync(client));
        foreach (var example in new[] { "example-definite-ulnar-forearm.json", "example-probable-two-nerves.json" })
        {
            await client.SettledAsync(await client.PostAsync(ServiceCalls.Example(example)));
        }

        using (var refused = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle("""{"resourceType":"Patient"}""")))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        // The exporter serves what was collected at the scrape; a gauge is read from the store then.
        var scrape = await ScrapeAsync(client);
        var after = Samples(scrape);

        Assert.Equal(2, Sum(after, "fhirmmn_bundles_received_total") - Sum(before, "fhirmmn_bundles_received_total"));
        Assert.Equal(2, Sum(after, "fhirmmn_bundles_written_total") - Sum(before, "fhirmmn_bundles_written_total"));
        Assert.Equal(1, Sum(after, "fhirmmn_bundles_assessed_total", "category=\"definite\""));
        Assert.Equal(1, Sum(after, "fhirmmn_bundles_assessed_total", "category=\"probable\""));
        Assert.Equal(1, Sum(after, "fhirmmn_bundles_refused_total", "status=\"400\""));
        Assert.Equal(2, Sum(after, "fhirmmn_intake_duration_seconds_count"));
        Assert.Equal(2, Sum(after, "fhirmmn_intake_to_written_duration_seconds_count"));
        Assert.Contains(after.Keys, k => k.StartsWith("fhirmmn_queue_depth{", StringComparison.Ordinal) && k.Contains("feed=\"default\"", StringComparison.Ordinal));
        Assert.Equal(0, Sum(after, "fhirmmn_queue_depth", "feed=\"default\""));
        Assert.Equal(0, Sum(after, "fhirmmn_queue_oldest_age_seconds", "feed=\"default\""));
        Assert.Equal(0, Sum(after, "fhirmmn_bundles_dead_lettered_total", "feed=\"default\""));
        Assert.Contains(after.Keys, k => k.StartsWith("fhirmmn_bundles_rescheduled_total{", StringComparison.Ordinal) && k.Contains("reason=\"429\"", StringComparison.Ordinal));

        var served = after.Keys.Select(k => k.Split('{')[0]).ToHashSet(StringComparer.Ordinal);
        var dashboardText = File.ReadAllText(Repository.PathOf("infra", "monitoring", "grafana-dashboard.json"));
        using var dashboard = JsonDocument.Parse(dashboardText);
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        Assert.True(expressions.Count >= 10, "the dashboard has its panels");
        var alerts = File.ReadAllText(Repository.PathOf("infra", "monitoring", "alerts.yml"));
        Assert.Equal(4, Regex.Count(alerts, @"(?m)^\s+- alert: FhirMmn\w+$"));
        Assert.Equal(4, Regex.Count(alerts, @"(?m)^\s+expr: "));
        var named = expressions.Append(dashboardText).Append(alerts).SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.True(named.Count >= 9, "the dashboard and the alerts read the service's meters");
        Assert.All(named, name => Assert.True(served.Contains(name), $"{name} is not served by /metrics"));
    }
}
