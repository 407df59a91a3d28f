using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The service as a real process, killed (SIGKILL) while it works through a batch and started again on the
/// same data folder: no message is lost, no report, plan or provenance is written twice.
/// </summary>
public sealed class KillRestartTests : IDisposable
{
    private const int Patients = 40;
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-kill-").FullName;
    private Process? service;

    public void Dispose()
    {
        Stop();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Killing_and_restarting_the_service_mid_batch_loses_nothing_and_duplicates_nothing()
    {
        var rebased = Enumerable.Range(0, Patients).Select(i => FhirServerProcess.Rebase("example-definite-ulnar-forearm.json", folder, $"-k{i}")).ToList();
        // Each transaction answered 200 ms after it was applied: with two workers the batch takes seconds, so the kill
        // lands mid-batch, some of it between a write and its answer.
        using var server = FhirServerProcess.Start(TimeSpan.FromMilliseconds(200), [.. rebased.Select(r => r.SeedFile)]);
        var port = FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Start(port, server.BaseUrl);
        await ReadyAsync(client);

        var ids = new List<string>();
        foreach (var (bundle, _) in rebased)
        {
            ids.Add(await client.PostAsync(bundle(server.BaseUrl)));
        }

        await UntilAsync(async () => await CountCompletedAsync(client, ids.Take(1)) == 1, TimeSpan.FromSeconds(60));
        Stop();
        var completedBeforeKill = await CountAfterRestartAsync(client, port, server.BaseUrl, ids);

        Assert.InRange(completedBeforeKill, 1, Patients - 1);
        foreach (var id in ids)
        {
            Assert.Equal("completed", (await client.SettledAsync(id, TimeSpan.FromSeconds(120))).GetProperty("state").GetString());
        }

        for (var i = 0; i < Patients; i++)
        {
            var reports = FhirServerProcess.Resources(await server.SearchAsync($"DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm-k{i}"));
            var report = Assert.Single(reports);
            Assert.Equal("1", report.GetProperty("meta").GetProperty("versionId").GetString());
            Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/pat-example-definite-ulnar-forearm-k{i}")));
            Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"Provenance?target=DiagnosticReport/{report.GetProperty("id").GetString()}")));
        }
    }

    /// <summary>Restarts the service and returns how many messages had completed before the kill.</summary>
    private async Task<int> CountAfterRestartAsync(HttpClient client, int port, Uri fhirServer, List<string> ids)
    {
        Start(port, fhirServer);
        await ReadyAsync(client);
        var completed = 0;
        foreach (var id in ids)
        {
            var status = await client.GetJsonAsync($"/messages/{id}");
            completed += status.GetProperty("state").GetString() == "completed" ? 1 : 0;
        }

        return completed;
    }

    private void Start(int port, Uri fhirServer)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Repository.PathOf("src", "FhirMmn.Service", "bin", configuration, "net10.0", "FhirMmn.Service.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Security__RequireToken"] = "false";
        info.Environment["FhirMmn__DataDirectory"] = Path.Combine(folder, "data");
        info.Environment["FhirMmn__LockDuration"] = "00:00:05";
        info.Environment["FhirMmn__Concurrency"] = "2";
        info.Environment["FhirServer__BaseUrl"] = fhirServer.ToString();
        service = Process.Start(info)!;
        _ = service.StandardOutput.ReadToEndAsync();
        _ = service.StandardError.ReadToEndAsync();
    }

    private void Stop()
    {
        if (service is { HasExited: false })
        {
            service.Kill(entireProcessTree: true);
            service.WaitForExit(10_000);
        }

        service?.Dispose();
        service = null;
    }

    private static async Task ReadyAsync(HttpClient client) => await UntilAsync(async () =>
    {
        try
        {
            return (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, TimeSpan.FromSeconds(60));

    private static async Task<int> CountCompletedAsync(HttpClient client, IEnumerable<string> ids)
    {
        var completed = 0;
        foreach (var id in ids)
        {
            using var response = await client.GetAsync(new Uri($"/messages/{id}", UriKind.Relative));
            var state = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString();
            completed += state == "completed" ? 1 : 0;
        }

        return completed;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
