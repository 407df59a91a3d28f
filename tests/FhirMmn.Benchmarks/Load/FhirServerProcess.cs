using System.Diagnostics;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Benchmarks.Load;

/// <summary>
/// The test FHIR server (tests/fhir-server/server.mjs: Medplum's FhirRouter and in-memory store), fresh and
/// empty, on a free port. It prints {"ready":true,"port":N,"base":"..."} when it serves.
/// </summary>
internal sealed class FhirServerProcess : IAsyncDisposable
{
    private FhirServerProcess(Process process, Uri baseUrl)
    {
        Process = process;
        BaseUrl = baseUrl;
    }

    public Process Process { get; }

    /// <summary>The FHIR base, e.g. http://127.0.0.1:N/fhir; transactions are POSTed here.</summary>
    public Uri BaseUrl { get; }

    public static async Task<FhirServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        var script = Repository.PathOf("tests", "fhir-server", "server.mjs");
        if (!File.Exists(script))
        {
            throw new LoadFailedException($"{script} is missing: the FHIR server scenarios need it.");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--experimental-websocket", script, "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        var logs = new LogTally();
        var firstLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && !firstLine.TrySetResult(e.Data))
            {
                logs.Add(e.Data, fromStderr: false);
            }
        };
        process.ErrorDataReceived += (_, e) => logs.Add(e.Data, fromStderr: true);
        var started = false;
        try
        {
            started = process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var exited = process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(firstLine.Task, exited, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken)).ConfigureAwait(false);
            if (first != firstLine.Task)
            {
                throw new LoadFailedException($"The FHIR server did not report ready:\n{logs.Tail}");
            }

            using var ready = JsonDocument.Parse(firstLine.Task.Result);
            return new FhirServerProcess(process, new Uri(ready.RootElement.GetProperty("base").GetString()!));
        }
        catch
        {
            if (started && !process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
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
    }
}
