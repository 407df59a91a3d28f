using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// A start-up check failed in a way a person can put right (a setting, a folder, an address). The message is
/// the whole report: one line that names the key, the rule and where in the value it is broken, never the
/// value itself. Throw it from anything that runs while the service starts; Program prints the line and exits 1.
/// </summary>
public sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException()
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Turns what stopped the start into the lines an operator reads: one per broken rule, no stack trace. The host's
/// own "Hosting failed to start" event is held back (<see cref="Logging"/>), so nothing is printed twice.
/// </summary>
public static class StartupErrors
{
    /// <summary>Exit code of a start stopped by a broken rule or an unexpected error.</summary>
    public const int ExitCode = 1;

    /// <summary>The lines for errors a person can act on; null for anything else (a defect: its stack trace is needed).</summary>
    public static IReadOnlyList<string>? Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case StartupException startup:
                return [OneLine(startup.Message)];
            case OptionsValidationException validation:
                return [.. validation.Failures.Select(OneLine)];
            case AggregateException aggregate:
                var lines = new List<string>();
                foreach (var inner in aggregate.Flatten().InnerExceptions)
                {
                    if (Describe(inner) is not { } described)
                    {
                        return null;
                    }

                    lines.AddRange(described);
                }

                return lines.Count > 0 ? lines : null;
            default:
                return null;
        }
    }

    /// <summary>Writes why the start stopped: the lines of <see cref="Describe"/>, or once the whole unexpected error.</summary>
    public static int Report(Exception error, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Describe(error) is { } lines)
        {
            foreach (var line in lines)
            {
                output.WriteLine(line);
            }
        }
        else
        {
            output.WriteLine("FhirMmn stopped on an unexpected error: " + error);
        }

        output.Flush();
        return ExitCode;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
