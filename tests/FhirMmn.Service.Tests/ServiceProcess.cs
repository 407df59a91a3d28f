using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The service as a real process (the built FhirMmn.Service.dll, production environment, no tokens, embedded
/// write-back unless told otherwise) on a free port, its output kept for the failure messages.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process process;
    private const int KeptLines = 80;
    private readonly Queue<string> output = new();

    private ServiceProcess(Process process, int port)
    {
        this.process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the service printed (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    public static ServiceProcess Start(string dataDirectory, Dictionary<string, string>? environment = null)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Repository.PathOf("src", "FhirMmn.Service", "bin", configuration, "net10.0", "FhirMmn.Service.dll");
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Security__RequireToken"] = "false";
        info.Environment["FhirMmn__DataDirectory"] = dataDirectory;
        info.Environment["FhirMmn__WriteBack"] = "embedded";
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        var service = new ServiceProcess(Process.Start(info)!, port);
        service.process.OutputDataReceived += (_, line) => service.Keep(line.Data);
        service.process.ErrorDataReceived += (_, line) => service.Keep(line.Data);
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until /health/ready answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
            {
                Assert.Fail($"The service exited ({process.ExitCode}) before it was ready:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"The service was not ready in time:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops it; returns how long it took to exit (asserts it did within <paramref name="limit"/>).</summary>
    public TimeSpan Stop(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        Mount.Terminate(process);
        var exited = process.WaitForExit(limit);
        watch.Stop();
        Assert.True(exited, $"The service did not stop within {limit.TotalSeconds} s of SIGTERM:\n{Output}");
        return watch.Elapsed;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
        Client.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            if (output.Count > KeptLines)
            {
                output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
