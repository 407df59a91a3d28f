using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The service as a real process on real file systems that fail: a tmpfs that fills up, and an ext4 file system that
/// starts failing every I/O (the ext4 shutdown ioctl). Whatever the disk does, an intake answers within 5 s (503,
/// Retry-After, an OperationOutcome), readiness says the store cannot take bundles, and the service stops in time.
/// These tests mount file systems, so they need root (CI runs as root); without it they fail saying so.
/// </summary>
public sealed class FailingDiskTests
{
    private const long MiB = 1024 * 1024;

    /// <summary>What every intake must answer within, whatever the store does.</summary>
    private static readonly TimeSpan IntakeLimit = TimeSpan.FromSeconds(5);

    /// <summary>Well inside the host's shutdown timeout (30 s), which the stop must never reach.</summary>
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(20);

    private static readonly string Bundle = ServiceCalls.Example("example-definite-ulnar-forearm.json");

    [Fact]
    public async Task On_a_full_disk_the_intake_answers_503_at_once_readiness_fails_and_both_recover_when_space_returns()
    {
        using var disk = Mount.Tmpfs(160 * MiB);
        // A 1 MiB bundle limit keeps the disk reserve at its floor, 64 MiB.
        using var service = ServiceProcess.Start(Path.Combine(disk.Path, "data"), new() { ["FhirMmn__MaxBundleBytes"] = "1048576" });
        await service.WaitReadyAsync();
        await service.Client.PostAsync(Bundle);

        var reserve = disk.Fill(leaveFree: 32 * MiB);
        var low = await ReadyAsync(service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, low.Status);
        Assert.Equal("Unhealthy", low.Checks["disk"]);
        Assert.Equal("Healthy", low.Checks["store"]);
        await service.Client.PostAsync(Bundle);

        var full = disk.Fill(leaveFree: 0);
        for (var i = 0; i < 3; i++)
        {
            await AssertUnavailableAsync(service);
        }

        var failing = await ReadyAsync(service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.Status);
        Assert.Equal("Unhealthy", failing.Checks["disk"]);
        Assert.Equal("Unhealthy", failing.Checks["store"]);

        File.Delete(full);
        File.Delete(reserve);
        await service.WaitReadyAsync(TimeSpan.FromSeconds(40));
        var id = await service.Client.PostAsync(Bundle);
        Assert.Equal("completed", (await service.Client.SettledAsync(id)).GetProperty("state").GetString());
        service.Stop(StopLimit);
    }

    [Fact]
    public async Task On_a_disk_that_fails_every_io_the_intake_answers_503_within_5_s_readiness_fails_and_the_service_stops_in_time()
    {
        using var disk = Mount.Ext4(256 * MiB);
        using var service = ServiceProcess.Start(Path.Combine(disk.Path, "data"));
        await service.WaitReadyAsync();
        await service.Client.PostAsync(Bundle);

        disk.ShutDown();

        for (var i = 0; i < 5; i++)
        {
            await AssertUnavailableAsync(service);
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AssertUnavailableAsync(service)));
        var ready = await ReadyAsync(service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("Unhealthy", ready.Checks["store"]);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        var stopped = service.Stop(StopLimit);
        Assert.True(stopped < StopLimit, $"stopped after {stopped}");
    }

    /// <summary>POST a bundle: 503 within 5 s, with Retry-After and an OperationOutcome that says to try again.</summary>
    private static async Task AssertUnavailableAsync(ServiceProcess service)
    {
        var watch = Stopwatch.StartNew();
        using var response = await service.Client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(Bundle));
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();

        Assert.True(watch.Elapsed < IntakeLimit, $"answered after {watch.Elapsed}");
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}\n{service.Output}");
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.True(response.Headers.RetryAfter.Delta > TimeSpan.Zero);
        var outcome = JsonDocument.Parse(body).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal("transient", outcome.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    /// <summary>GET /health/ready (answered within 5 s): its status and each check's status by name.</summary>
    private static async Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadyAsync(ServiceProcess service)
    {
        var watch = Stopwatch.StartNew();
        using var response = await service.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(watch.Elapsed < IntakeLimit, $"readiness answered after {watch.Elapsed}");
        return (response.StatusCode, body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!));
    }
}
