using System.CommandLine;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Cli;

/// <summary>
/// The command line. Exit codes (docs/architecture.md, "Interfaces"): 0 done; 1 usage error; 2 input refused, with the
/// OperationOutcome on stdout.
/// </summary>
public static class CliApp
{
    public const int Done = 0;
    public const int UsageError = 1;
    public const int Refused = 2;

    private const string InternalErrorOutcome =
        "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"exception\"," +
        "\"details\":{\"text\":\"FhirMmn could not process this bundle because of an internal error.\"}}]}";

    public static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdin, stdout, stderr, new ServiceConnection());

    /// <summary>As <see cref="Run(string[], Stream, TextWriter, TextWriter)"/>, with how the messages commands reach a service.</summary>
    public static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr, ServiceConnection connection)
    {
        var file = new Argument<string>("FILE") { Description = "A feed bundle (FHIR R4 JSON); - reads standard input." };
        var feed = new Option<string>("--feed") { Description = "The feed's name (part of the report identifier).", DefaultValueFactory = _ => "default" };
        var fhirBase = new Option<string?>("--fhir-base")
        {
            Description = "Base URL of the FHIR server the write-back goes to; results on it are referenced relatively.",
        };
        var maxBytes = new Option<long>("--max-bytes")
        {
            Description = "Refuse bundles larger than this.",
            DefaultValueFactory = _ => FeedReaderOptions.DefaultMaxBytes,
        };
        var compact = new Option<bool>("--compact") { Description = "Write JSON on one line." };
        var patientSystem = new Option<string?>("--patient-identifier-system")
        {
            Description = "Key patients by the identifier of this system (default: the first identifier with system and value).",
        };

        var classify = new Command("classify", "Assess a feed bundle and print the write-back transaction Bundle (DiagnosticReport, CarePlan, Device, Provenance).")
        {
            file, feed, fhirBase, maxBytes, compact, patientSystem,
        };
        classify.SetAction(result => Execute(stdout, stderr, () =>
        {
            var read = Read(result.GetValue(file)!, result.GetValue(maxBytes), result.GetValue(patientSystem), stdin);
            if (!read.Accepted)
            {
                return Write(stdout, read.ToOperationOutcome(), result.GetValue(compact), Refused);
            }

            var (_, writeBack) = Assessor.AssessOffline(read.Bundle!, result.GetValue(feed)!, result.GetValue(fhirBase));
            return Write(stdout, writeBack.Transaction, result.GetValue(compact), Done);
        }));

        var profiles = new Option<bool>("--profiles")
        {
            Description = "Also validate deeply against R4 and the FhirMmn profiles, entry by entry (Firely's validator, offline; "
                + "some seconds): for a feed before go-live. Exit 2 on any error of either check.",
        };
        var validate = new Command("validate", "Check a feed bundle against R4 and the feed contract; print the OperationOutcome. Exit 0 when it can be assessed, 2 when not.")
        {
            file, maxBytes, compact, patientSystem, profiles,
        };
        validate.SetAction(result => Execute(stdout, stderr, () =>
        {
            var bytes = Input(result.GetValue(file)!, result.GetValue(maxBytes), stdin);
            var read = Read(bytes, result.GetValue(maxBytes), result.GetValue(patientSystem));
            var issues = read.Accepted
                ? read.Issues.Append(FhirIssue.Information(IssueCodes.Informational,
                    $"The bundle can be assessed: {read.Bundle!.Observations.Count} result(s) of the feed contract for one patient."))
                : read.Issues;
            var valid = read.Accepted;
            if (result.GetValue(profiles))
            {
                var deep = DeepValidation.Check(bytes, read);
                issues = issues.Concat(deep);
                valid &= !deep.Any(i => i.IsError);
            }

            return Write(stdout, OperationOutcomes.From(issues), result.GetValue(compact), valid ? Done : Refused);
        }));

        var root = new RootCommand("FhirMmn: multifocal motor neuropathy assessment (EFNS/PNS 2010) from FHIR R4 nerve conduction results.")
        {
            classify, validate, MessagesCommand.Create(stdout, stderr, connection), FeedCommands.Create(stdout, stderr, stdin),
        };
        var parsed = root.Parse(args);
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static FeedReadResult Read(string path, long maxBytes, string? patientSystem, Stream stdin) =>
        Read(Input(path, maxBytes, stdin), maxBytes, patientSystem);

    private static FeedReadResult Read(ReadOnlyMemory<byte> bytes, long maxBytes, string? patientSystem) =>
        FeedReader.Read(bytes, new FeedReaderOptions { MaxBytes = maxBytes, PatientIdentifierSystem = patientSystem });

    /// <summary>Reads the input with a feed's reader options (its code map, patient identifier system).</summary>
    internal static FeedReadResult Read(string path, long maxBytes, FeedReaderOptions options, Stream stdin) =>
        FeedReader.Read(Input(path, maxBytes, stdin), options with { MaxBytes = maxBytes });

    /// <summary>The input's bytes; an oversized input as maxBytes + 1 bytes that the reader then refuses as too large.</summary>
    private static ReadOnlyMemory<byte> Input(string path, long maxBytes, Stream stdin)
    {
        if (path == "-")
        {
            // The bytes as they come (decoding them here would replace invalid UTF-8 silently instead of refusing it),
            // and no more than one past the limit, which is then refused as too large.
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            var limit = maxBytes + 1;
            int read;
            while (buffer.Length < limit && (read = stdin.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length))) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new UsageException($"No such file: {path}");
        }

        // Refuse an oversized file before reading it into memory.
        return info.Length > maxBytes ? new byte[maxBytes + 1] : File.ReadAllBytes(path);
    }

    internal static int Execute(TextWriter stdout, TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException e)
        {
            stderr.WriteLine(e.Message);
            return UsageError;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"Cannot read the input: {e.GetType().Name}.");
            return UsageError;
        }
        catch (UnauthorizedAccessException)
        {
            stderr.WriteLine("Cannot read the input: access denied.");
            return UsageError;
        }
#pragma warning disable CA1031 // The last line of defence: an internal error leaves as an OperationOutcome, never a stack trace with patient data.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Written by hand: the serializer itself may be what failed.
            stderr.WriteLine($"Internal error ({e.GetType().Name}); the input was not assessed.");
            stdout.WriteLine(InternalErrorOutcome);
            return Refused;
        }
    }

    /// <summary>A write-back resource (Firely's model), as Firely's serializer writes it.</summary>
    private static int Write(TextWriter stdout, Hl7.Fhir.Model.Resource resource, bool compact, int exitCode)
    {
        stdout.WriteLine(FhirJson.Serialize(resource, indented: !compact));
        return exitCode;
    }

    private static int Write(TextWriter stdout, OperationOutcome outcome, bool compact, int exitCode)
    {
        stdout.WriteLine(FhirJson.Serialize(outcome, indented: !compact));
        return exitCode;
    }

    internal sealed class UsageException(string message) : Exception(message);
}
