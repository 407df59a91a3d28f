using System.Diagnostics;
using System.Security.Cryptography;

namespace FhirMmn.Testing;

/// <summary>
/// The Node tools the tests need (Medplum's validator and FHIR server), installed from the repository's
/// package-lock.json with `npm ci` when missing or stale. Test processes run in parallel, so the install
/// happens under a file lock. A missing node or npm fails the tests: an independent check skipped is no check.
/// </summary>
public static class NodeTools
{
    private static readonly Lazy<bool> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureInstalled() => _ = Installed.Value;

    /// <summary>Starts `node --experimental-websocket SCRIPT ARGS` in the repository root, stdio redirected.</summary>
    public static Process StartNode(string script, params string[] args)
    {
        EnsureInstalled();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--experimental-websocket");
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
    }

    /// <summary>Runs a node script to completion; returns exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) RunNode(string script, params string[] args)
    {
        using var process = StartNode(script, args);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    private static bool Install()
    {
        var lockFile = Repository.PathOf("package-lock.json");
        var stamp = Repository.PathOf("node_modules", ".fhirmmn-installed");
        var wanted = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(lockFile)));
        if (File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
        {
            return true;
        }

        using var gate = AcquireLock(Repository.PathOf(".npm-install.lock"));
        if (File.Exists(stamp) && File.ReadAllText(stamp) == wanted)
        {
            return true;
        }

        var info = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm did not start: install Node.js 20+ and npm.");
        var output = npm.StandardOutput.ReadToEndAsync();
        var error = npm.StandardError.ReadToEndAsync();
        npm.WaitForExit();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed ({npm.ExitCode}):\n{output.Result}\n{error.Result}");
        }

        File.WriteAllText(stamp, wanted);
        return true;
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }
}
