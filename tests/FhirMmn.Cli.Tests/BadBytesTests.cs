using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Cli.Tests;

/// <summary>
/// Bad bytes and broken Bundle invariants, from a file and from standard input: exit 2 with the OperationOutcome on
/// stdout that names the location, never an internal error.
/// </summary>
public sealed class BadBytesTests : IDisposable
{
    private const string Display = "Compound muscle action potential amplitude Muscle";
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-cli-bytes-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static string ExampleText() => File.ReadAllText(Repository.PathOf("examples", "example-definite-ulnar-forearm.json"));

    private static byte[] WithDisplay(byte[] raw)
    {
        var text = ExampleText();
        var at = text.IndexOf(Display, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. raw, .. Encoding.UTF8.GetBytes(text[(at + Display.Length)..])];
    }

    private static byte[] WithoutResource()
    {
        var text = ExampleText();
        var at = text.IndexOf("\"entry\": [", StringComparison.Ordinal) + 10;
        return Encoding.UTF8.GetBytes(text[..at] + "{\"fullUrl\": \"urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e03\"}, " + text[at..]);
    }

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var command in new[] { "validate", "classify" })
        {
            foreach (var source in new[] { "file", "stdin" })
            {
                foreach (var kind in new[] { "invalid-utf8", "lone-high-surrogate", "lone-low-surrogate", "nul", "bdl-5" })
                {
                    data.Add(command, source, kind);
                }
            }
        }

        return data;
    }

    private static (byte[] Body, string Expression, string Code) Case(string kind) => kind switch
    {
        "invalid-utf8" => (WithDisplay([(byte)'x', 0xFF]), "Bundle.entry[1].resource.code.coding[0].display", "invalid"),
        "lone-high-surrogate" => (WithDisplay("\\ud800"u8.ToArray()), "Bundle.entry[1].resource.code.coding[0].display", "invalid"),
        "lone-low-surrogate" => (WithDisplay("\\udc00"u8.ToArray()), "Bundle.entry[1].resource.code.coding[0].display", "invalid"),
        "nul" => (WithDisplay("a\\u0000b"u8.ToArray()), "Bundle.entry[1].resource.code.coding[0].display", "invalid"),
        _ => (WithoutResource(), "Bundle.entry[0]", "invariant"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refused_bytes_exit_2_with_an_outcome_naming_the_location(string command, string source, string kind)
    {
        var (body, expression, code) = Case(kind);
        string[] args;
        byte[] stdin = [];
        if (source == "file")
        {
            var file = Path.Combine(scratch, kind + ".json");
            File.WriteAllBytes(file, body);
            args = [command, file, "--compact"];
        }
        else
        {
            stdin = body;
            args = [command, "-", "--compact"];
        }

        var (exit, output, error) = CliTests.Run(stdin, args);

        Assert.Equal(2, exit);
        Assert.Empty(error);
        using var outcome = JsonDocument.Parse(output);
        Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
        var issue = Assert.Single(outcome.RootElement.GetProperty("issue").EnumerateArray());
        Assert.Equal((code, expression), (issue.GetProperty("code").GetString(), issue.GetProperty("expression")[0].GetString()));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("stdin")]
    public void A_file_saved_with_a_byte_order_mark_is_read(string source)
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ExampleText())];
        var file = Path.Combine(scratch, "bom.json");
        File.WriteAllBytes(file, body);

        var (exit, _, error) = source == "file" ? CliTests.Run([], "validate", file) : CliTests.Run(body, "validate", "-");

        Assert.Equal((0, string.Empty), (exit, error));
    }

    [Fact]
    public void Standard_input_over_the_limit_is_refused_as_too_large()
    {
        var (exit, output, _) = CliTests.Run(new byte[5000], "validate", "-", "--max-bytes", "1024");

        Assert.Equal(2, exit);
        using var outcome = JsonDocument.Parse(output);
        Assert.Equal("too-long", outcome.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
    }

    /// <summary>The real command, its standard input a pipe of raw bytes: nothing decodes them on the way in.</summary>
    [Fact]
    public async Task The_installed_command_refuses_invalid_utf8_piped_to_it()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fhirmmn.dll"));
        info.ArgumentList.Add("validate");
        info.ArgumentList.Add("-");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(WithDisplay([(byte)'x', 0xFF]));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Empty(await error);
        using var outcome = JsonDocument.Parse(await output);
        Assert.Equal("Bundle.entry[1].resource.code.coding[0].display", outcome.RootElement.GetProperty("issue")[0].GetProperty("expression")[0].GetString());
    }
}
