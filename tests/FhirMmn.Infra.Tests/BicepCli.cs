using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace FhirMmn.Infra.Tests;

/// <summary>One diagnostic of the Bicep compiler or linter, as its SARIF output gives it.</summary>
internal sealed record BicepDiagnostic(string RuleId, string Level, string Message, string File, int Line)
{
    public override string ToString() => $"{Path.GetFileName(File)}({Line}): {Level} {RuleId}: {Message}";
}

/// <summary>What one run of the Bicep CLI left: exit code, output, and the diagnostics it reported.</summary>
internal sealed record BicepRun(int ExitCode, string Output, string Error, IReadOnlyList<BicepDiagnostic> Diagnostics)
{
    public string Describe() => Diagnostics.Count == 0
        ? $"exit {ExitCode}, no diagnostics; stderr: {Error}"
        : $"exit {ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, Diagnostics)}";
}

/// <summary>
/// The Bicep CLI of the NuGet package Azure.Bicep.CommandLine.linux-x64, whose path the build records in this
/// assembly (the project's GeneratePathProperty). NuGet does not keep file modes when it extracts a package,
/// so the binary is made executable before its first run.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Executable = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Executable.Value;

    /// <summary>Runs `bicep ARGS` in the repository root, with SARIF diagnostics for build, build-params and lint.</summary>
    /// <param name="environment">Variables set for the run (null value: removed), e.g. those main.bicepparam reads.</param>
    /// <param name="args">The command and its arguments, e.g. lint infra/main.bicep.</param>
    public static BicepRun Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Path)
        {
            WorkingDirectory = FhirMmn.Testing.Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (args[0] is "build" or "build-params" or "lint")
        {
            info.ArgumentList.Add("--diagnostics-format");
            info.ArgumentList.Add("sarif");
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bicep did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish within {Limit}.");
        }

        process.WaitForExit();
        var (stdout, stderr) = (output.Result, error.Result);
        return new BicepRun(process.ExitCode, stdout, stderr, [.. Sarif(stdout), .. Sarif(stderr)]);
    }

    public static BicepRun Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    /// <summary>
    /// The diagnostics of the SARIF documents in a stream (`lint` writes them to stdout, `build` to stderr; a
    /// stream may also hold the compiled template, which is not SARIF and has no "runs").
    /// </summary>
    private static IEnumerable<BicepDiagnostic> Sarif(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
        {
            yield break;
        }

        using var document = JsonDocument.Parse(text);
        if (!document.RootElement.TryGetProperty("runs", out var runs))
        {
            yield break;
        }

        foreach (var result in runs.EnumerateArray().SelectMany(run => run.GetProperty("results").EnumerateArray()))
        {
            var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
            yield return new BicepDiagnostic(
                result.GetProperty("ruleId").GetString() ?? "?",
                result.TryGetProperty("level", out var level) ? level.GetString() ?? "warning" : "warning",
                result.GetProperty("message").GetProperty("text").GetString() ?? string.Empty,
                location.GetProperty("artifactLocation").GetProperty("uri").GetString() ?? string.Empty,
                location.GetProperty("region").GetProperty("startLine").GetInt32());
        }
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "BicepPath").Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI is not at '{path}': restore tests/FhirMmn.Infra.Tests (package Azure.Bicep.CommandLine.linux-x64).");
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The tests use the Bicep CLI of Azure.Bicep.CommandLine.linux-x64: run them on Linux.");
        }

        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
