using System.Diagnostics;
using System.Text.Json;

namespace FhirMmn.Testing;

public sealed record ValidationResult(bool Valid, IReadOnlyList<string> Issues)
{
    public override string ToString() => Valid ? "valid" : string.Join(Environment.NewLine, Issues);
}

/// <summary>
/// The independent R4 validator (tests/r4-validator/validate.mjs: Medplum's validateResource against the
/// official R4 definitions), kept running for the test process and fed one resource per line.
/// </summary>
public sealed class R4Validator : IDisposable
{
    private static readonly Lazy<R4Validator> Instance = new(() => new R4Validator(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Process process;
    private readonly Lock gate = new();

    private R4Validator()
    {
        process = NodeTools.StartNode("tests/r4-validator/validate.mjs", "--serve");
        var ready = process.StandardOutput.ReadLine();
        if (ready is null || !ready.Contains("ready", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The R4 validator did not start: " + process.StandardError.ReadToEnd());
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public static R4Validator Shared => Instance.Value;

    /// <summary>Validates a resource (a Bundle also entry by entry).</summary>
    public ValidationResult Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var line = JsonSerializer.Serialize(document.RootElement);
        string? answer;
        lock (gate)
        {
            process.StandardInput.WriteLine(line);
            process.StandardInput.Flush();
            answer = process.StandardOutput.ReadLine();
        }

        if (answer is null)
        {
            throw new InvalidOperationException("The R4 validator stopped: " + process.StandardError.ReadToEnd());
        }

        using var result = JsonDocument.Parse(answer);
        var issues = result.RootElement.GetProperty("issues").EnumerateArray()
            .Select(i => $"{i.GetProperty("where").GetString()}: {(i.TryGetProperty("text", out var t) ? t.GetString() : null)} {(i.TryGetProperty("expression", out var e) ? e.ToString() : string.Empty)}")
            .ToList();
        return new ValidationResult(result.RootElement.GetProperty("valid").GetBoolean(), issues);
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
