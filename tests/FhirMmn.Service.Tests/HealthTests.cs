using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Readiness is whether this instance can accept and store bundles (the store, its disk); the FHIR server is reported
/// apart. A store that fails or hangs answers intakes with 503 and Retry-After within 5 s, fails readiness, and does
/// not hold the shutdown.
/// </summary>
public sealed class HealthTests
{
    private static readonly string Bundle = ServiceCalls.Example("example-definite-ulnar-forearm.json");

    [Fact]
    public async Task Readiness_names_the_store_and_the_disk_in_json_and_the_fhir_server_has_its_own_endpoint()
    {
        using var service = new ServiceFactory();
        var client = service.CreateClient();

        var (readyStatus, ready) = await HealthAsync(client, "/health/ready");
        var (fhirStatus, fhir) = await HealthAsync(client, "/health/fhir-server");
        var (liveStatus, live) = await HealthAsync(client, "/health/live");

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal(["disk", "store"], Checks(ready).Keys.Order());
        Assert.All(Checks(ready).Values, status => Assert.Equal("Healthy", status));
        Assert.Equal(HttpStatusCode.OK, fhirStatus);
        Assert.Equal(["fhir-server"], Checks(fhir).Keys);
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Empty(Checks(live));
    }

    [Fact]
    public async Task When_commits_fail_an_intake_answers_503_with_retry_after_at_once_and_readiness_names_the_store_until_they_succeed()
    {
        using var service = new ServiceFactory();
        var client = service.CreateClient();
        var database = service.Services.GetRequiredService<Database>();
        database.FaultHold = TimeSpan.FromMilliseconds(500);
        var faults = new StoreFaults();
        database.Faults = faults.At;
        faults.Throw(StorePoint.Commit);

        var watch = Stopwatch.StartNew();
        await AssertUnavailableAsync(client);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"answered after {watch.Elapsed}");
        var (status, ready) = await HealthAsync(client, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Checks(ready)["store"]);
        Assert.Equal("Healthy", Checks(ready)["disk"]);
        Assert.DoesNotContain("Injected", ready.GetRawText(), StringComparison.Ordinal);

        faults.Clear();
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(client, "/health/ready")).Status);
        await client.PostAsync(Bundle);
    }

    [Fact]
    public async Task When_the_store_hangs_an_intake_answers_503_within_5_s_readiness_says_stalled_and_the_service_stops_in_time()
    {
        var service = new ServiceFactory();
        var faults = new StoreFaults();
        try
        {
            var client = service.CreateClient();
            var database = service.Services.GetRequiredService<Database>();
            database.StallAfter = TimeSpan.FromMilliseconds(500);
            database.Faults = faults.At;
            faults.Block(StorePoint.BeginTransaction);

            var watch = Stopwatch.StartNew();
            await AssertUnavailableAsync(client);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AssertUnavailableAsync(client)));
            watch.Stop();
            var (status, ready) = await HealthAsync(client, "/health/ready");

            Assert.InRange(watch.Elapsed, Features.IngestBundle.IngestBundleHandler.StoreDeadline, TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", Checks(ready)["store"]);
            Assert.Contains("does not answer", Description(ready, "store"), StringComparison.Ordinal);

            var stopping = Stopwatch.StartNew();
            service.Dispose();
            stopping.Stop();
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopped after {stopping.Elapsed}");
        }
        finally
        {
            faults.ReleaseAll();
            service.Dispose();
        }
    }

    /// <summary>POST a bundle: 503 within 5 s with Retry-After and a transient OperationOutcome.</summary>
    internal static async Task AssertUnavailableAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(Bundle));
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered after {watch.Elapsed}");
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        var outcome = JsonDocument.Parse(body).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal("transient", outcome.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    internal static Dictionary<string, string> Checks(JsonElement health) =>
        health.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);

    private static string Description(JsonElement health, string name) =>
        health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("description").GetString()!;
}
