using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The built service (dotnet FhirMmn.Service.dll) as its own process, production environment, no tokens, the way
/// an operator starts it. <see cref="Start"/> gives it a data folder and a free loopback port with the embedded
/// write-back, for tests that use it; <see cref="Launch"/> leaves every setting to the test (the environment and
/// the command line) and reads either its exit (a start that stops) or the address it reports listening on.
/// Nothing from the test runner's own environment decides where it listens. It is killed on dispose.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private static readonly string[] InheritedAddressVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS"];

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? ownFolder;
    private readonly HttpClient? client;

    private ServiceProcess(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> arguments, string? ownFolder, int? port)
    {
        this.ownFolder = ownFolder;
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Repository.PathOf("src", "FhirMmn.Service", "bin", configuration, "net10.0", "FhirMmn.Service.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ownFolder is not null)
        {
            info.WorkingDirectory = ownFolder;
        }

        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var inherited in InheritedAddressVariables)
        {
            info.Environment.Remove(inherited);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Security__RequireToken"] = "false";
        if (port is { } chosen)
        {
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosen}";
            client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{chosen}"), Timeout = TimeSpan.FromSeconds(30) };
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Received(e.Data, output);
        process.ErrorDataReceived += (_, e) => Received(e.Data, errors);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A client for the port <see cref="Start"/> chose.</summary>
    public HttpClient Client => client ?? throw new InvalidOperationException("A launched service has no fixed port: use ListeningAsync.");

    public bool HasExited => process.HasExited;

    /// <summary>What the service printed: stdout, then stderr.</summary>
    public string Output
    {
        get
        {
            string printed;
            lock (output)
            {
                printed = output.ToString();
            }

            lock (errors)
            {
                return printed + errors;
            }
        }
    }

    /// <summary>What the service wrote on stderr, line by line.</summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (errors)
            {
                return errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    /// <summary>The service on <paramref name="dataDirectory"/> and a free loopback port, writing back into its embedded store unless told otherwise.</summary>
    public static ServiceProcess Start(string dataDirectory, Dictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string?> { ["FhirMmn__DataDirectory"] = dataDirectory, ["FhirMmn__WriteBack"] = "embedded" };
        foreach (var (key, value) in environment ?? [])
        {
            settings[key] = value;
        }

        return new ServiceProcess(settings, [], ownFolder: null, FreePort());
    }

    /// <summary>The service with its settings in <paramref name="environment"/> and on the command line, in a temporary folder of its own (its data folder unless set).</summary>
    public static ServiceProcess Launch(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("fhirmmn-process-").FullName;
        var settings = new Dictionary<string, string?> { ["FhirMmn__DataDirectory"] = Path.Combine(folder, "data") };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        return new ServiceProcess(settings, arguments, folder, port: null);
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

    /// <summary>Waits for the process to end by itself (a start that stops) and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The address the service reports listening on, once it has started; fails if it stops instead.</summary>
    public async Task<Uri> ListeningAsync()
    {
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.True(first == listening.Task, $"the service did not start: exit {(process.HasExited ? process.ExitCode : "none")}\n{Output}");
        return await listening.Task;
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
        client?.Dispose();
        if (ownFolder is null)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(ownFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the ending process; the temp folder is cleaned by the OS.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Received(string? line, StringBuilder into)
    {
        if (line is null)
        {
            return;
        }

        lock (into)
        {
            into.Append(line).Append('\n');
        }

        if (into == output && line.Contains("ListeningOnAddress", StringComparison.Ordinal))
        {
            var address = JsonDocument.Parse(line).RootElement.GetProperty("Properties").GetProperty("address").GetString()!;
            listening.TrySetResult(new Uri(address.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal)));
        }
    }
}
