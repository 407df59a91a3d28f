using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The built service (dotnet FhirMmn.Service.dll) as its own process, with its settings in the environment and on
/// the command line, the way an operator starts it. Either it stops at start (its exit code and output are read) or
/// it starts (its bound address is read from "Now listening on"); it is killed on dispose.
/// </summary>
public sealed class ConfiguredServiceProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-process-").FullName;

    private ConfiguredServiceProcess(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Repository.PathOf("src", "FhirMmn.Service", "bin", configuration, "net10.0", "FhirMmn.Service.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing from the test runner's own environment decides where the service listens.
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS" })
        {
            info.Environment.Remove(inherited);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["FhirMmn__DataDirectory"] = Path.Combine(folder, "data");
        info.Environment["Security__RequireToken"] = "false";
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

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
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

    public static ConfiguredServiceProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments) => new(environment, arguments);

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
        Assert.True(first == listening.Task, $"the service did not start: exit {(process.HasExited ? process.ExitCode : "none")}\n{string.Join('\n', ErrorLines)}\n{Output}");
        return await listening.Task;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
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
