using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Storage;

/// <summary>
/// The data folder of <see cref="FhirMmnOptions.DataDirectory"/>: created when missing and proved writable at start,
/// so that a read-only, missing or uncreatable folder stops the start with one line naming the key and the path,
/// instead of a SQLite stack trace or, worse, a service that starts and then refuses every bundle.
/// </summary>
internal static class DataFolder
{
    public static string Resolve(FhirMmnOptions options, IHostEnvironment environment) =>
        Path.GetFullPath(options.DataDirectory, environment.ContentRootPath);

    /// <summary>Null when the folder exists (or was created) and a file can be made in it; else why not, in one line.</summary>
    public static string? Problem(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"FhirMmn:DataDirectory: the folder {folder} does not exist and cannot be created ({Reason(e)}).";
        }

        try
        {
            using (File.Create(Path.Combine(folder, $".fhirmmn-write-check-{Environment.ProcessId}"), 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"FhirMmn:DataDirectory: the folder {folder} cannot be written ({Reason(e)}).";
        }

        return null;
    }

    /// <summary>The error a host prints as one line: the same kind as every other setting that stops the start.</summary>
    public static OptionsValidationException Unusable(string problem) =>
        new(FhirMmnOptions.Section, typeof(FhirMmnOptions), [problem]);

    /// <summary>The cause in words of our own (the runtime's message repeats the path and varies by platform).</summary>
    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException or FileNotFoundException => "a part of the path does not exist or is not a folder",
        IOException { HResult: 30 } => "read-only file system",
        IOException { HResult: 28 } => "no space left on the device",
        IOException { HResult: 20 } => "a part of the path is not a folder",
        IOException { HResult: 17 } => "a file of that name is in the way",
        _ => "the file system refused it",
    };
}

/// <summary>Checks the data folder when the options are validated, so that ValidateOnStart stops a start that could not store anything.</summary>
internal sealed class DataFolderValidation(IHostEnvironment environment) : IValidateOptions<FhirMmnOptions>
{
    public ValidateOptionsResult Validate(string? name, FhirMmnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            // [Required] reports it.
            return ValidateOptionsResult.Skip;
        }

        return DataFolder.Problem(DataFolder.Resolve(options, environment)) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
    }
}
