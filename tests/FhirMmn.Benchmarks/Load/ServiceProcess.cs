using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Benchmarks.Load;

/// <summary>
/// FhirMmn.Service as a separate process, as it is deployed: the Release build, a free loopback port, a fresh
/// data folder, tokens off (loopback only). Killed with its process tree, its data folder deleted, on dispose.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly string Project = Repository.PathOf("src", "FhirMmn.Service");
    private static readonly string Dll = Repository.PathOf("src", "FhirMmn.Service", "bin", "Release", "net10.0", "FhirMmn.Service.dll");

    private readonly string dataDirectory;

    private ServiceProcess(Process process, Uri baseAddress, string dataDirectory, LogTally logs)
    {
        Process = process;
        BaseAddress = baseAddress;
        this.dataDirectory = dataDirectory;
        Logs = logs;
        Messages = new MessageTable(Path.Combine(dataDirectory, "fhirmmn.db"));
    }

    public Process Process { get; }

    public Uri BaseAddress { get; }

    public Uri BundleEndpoint => new(BaseAddress, "/fhir/Bundle");

    public MessageTable Messages { get; }

    public LogTally Logs { get; }

    /// <summary><c>dotnet build -c Release src/FhirMmn.Service</c>, quietly; its output only when it fails.</summary>
    public static async Task BuildAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "build", "-c", "Release", Project, "-nologo", "-v", "q", "--disable-build-servers" })
        {
            start.ArgumentList.Add(arg);
        }

        using var build = Process.Start(start)!;
        var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = build.StandardError.ReadToEndAsync(cancellationToken);
        await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0)
        {
            throw new LoadFailedException($"Building the service failed:\n{await output.ConfigureAwait(false)}{await errors.ConfigureAwait(false)}");
        }
    }

    /// <summary>
    /// Starts the service and waits for /health/ready. <paramref name="fhirServer"/> null: the null sink.
    /// <paramref name="rabbitMq"/>: the broker to use (Messaging:Transport RabbitMQ, on <paramref name="queue"/>); null: the embedded queue.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(int concurrency, Uri? fhirServer, CancellationToken cancellationToken, Uri? rabbitMq = null, string? queue = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fhirmmn-load-").FullName;
        var url = $"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Dll);
        var environment = start.Environment;
        environment["ASPNETCORE_URLS"] = url;
        // appsettings.json sets "Urls", which wins over ASPNETCORE_URLS; the unprefixed variable wins over both.
        environment["Urls"] = url;
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["Security__RequireToken"] = "false";
        environment["FhirMmn__DataDirectory"] = dataDirectory;
        environment["FhirMmn__Concurrency"] = concurrency.ToString(CultureInfo.InvariantCulture);
        environment["FhirMmn__WriteBack"] = fhirServer is null ? "null" : "auto";
        if (fhirServer is not null)
        {
            environment["FhirServer__BaseUrl"] = fhirServer.ToString();
        }

        if (rabbitMq is not null)
        {
            environment["Messaging__Transport"] = "RabbitMQ";
            environment["Messaging__RabbitMQ__Uri"] = rabbitMq.ToString();
            environment["Messaging__RabbitMQ__QueueName"] = queue ?? "fhirmmn-load";
            environment["Messaging__RabbitMQ__Prefetch"] = (2 * concurrency).ToString(CultureInfo.InvariantCulture);
        }

        var logs = new LogTally();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => logs.Add(e.Data, fromStderr: false);
        process.ErrorDataReceived += (_, e) => logs.Add(e.Data, fromStderr: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, new Uri(url), dataDirectory, logs);
        try
        {
            await service.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            return service;
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync().ConfigureAwait(false);
        }

        Process.Dispose();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Could not delete {dataDirectory}: {e.Message}").ConfigureAwait(false);
        }
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = new Uri(BaseAddress, "/health/ready");
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (Process.HasExited)
            {
                throw new LoadFailedException($"The service exited with code {Process.ExitCode} before it was ready:\n{Logs.Tail}");
            }

            try
            {
                using var response = await http.GetAsync(ready, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new LoadFailedException($"The service was not ready after 60 s:\n{Logs.Tail}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Drains a child's output (a full pipe would stall it): counts warnings and errors by template, keeps the last lines.</summary>
internal sealed class LogTally
{
    private const int TailLines = 30;

    private readonly ConcurrentDictionary<string, int> problems = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> tail = new();

    public string Tail => string.Join('\n', tail);

    public void Add(string? line, bool fromStderr)
    {
        if (line is null)
        {
            return;
        }

        tail.Enqueue(line);
        while (tail.Count > TailLines)
        {
            tail.TryDequeue(out _);
        }

        if (fromStderr)
        {
            problems.AddOrUpdate("stderr: " + line[..Math.Min(line.Length, 120)], 1, (_, n) => n + 1);
        }
        else if (line.Contains("\"Level\":\"Warning\"", StringComparison.Ordinal)
            || line.Contains("\"Level\":\"Error\"", StringComparison.Ordinal)
            || line.Contains("\"Level\":\"Fatal\"", StringComparison.Ordinal))
        {
            problems.AddOrUpdate(Template(line), 1, (_, n) => n + 1);
        }
    }

    /// <summary>"count x Level: template" per distinct warning or error (templates are constants: no data).</summary>
    public IReadOnlyList<string> Problems() =>
        problems.OrderByDescending(p => p.Value).Select(p => $"{p.Value.ToString(CultureInfo.InvariantCulture)} x {p.Key}").ToList();

    private static string Template(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            // The exception's type only: its message may carry values.
            var exception = root.TryGetProperty("Exception", out var e) ? " [" + (e.GetString() ?? string.Empty).Split(':', '\n')[0] + "]" : string.Empty;
            return $"{root.GetProperty("Level").GetString()}: {root.GetProperty("MessageTemplate").GetString()}{exception}";
        }
        catch (JsonException)
        {
            return "unparsed: " + line[..Math.Min(line.Length, 120)];
        }
        catch (KeyNotFoundException)
        {
            return "unparsed: " + line[..Math.Min(line.Length, 120)];
        }
    }
}
