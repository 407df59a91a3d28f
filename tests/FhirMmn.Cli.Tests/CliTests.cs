using System.Diagnostics;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-cli-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static string Example(string name) => Repository.PathOf("examples", name);

    internal static (int Exit, string Out, string Err) Run(string stdin, params string[] args) => Run(System.Text.Encoding.UTF8.GetBytes(stdin), args);

    internal static (int Exit, string Out, string Err) Run(byte[] stdin, params string[] args)
    {
        using var input = new MemoryStream(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, input, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static TheoryData<string, string> Categories => new()
    {
        { "example-definite-ulnar-forearm.json", "definite" },
        { "example-insufficient-no-area.json", "insufficient-data" },
        { "example-not-met-umn-signs.json", "criteria-not-met" },
        { "example-probable-two-nerves.json", "probable" },
        { "example-possible-one-nerve.json", "possible" },
    };

    [Theory]
    [MemberData(nameof(Categories))]
    public void Classify_prints_the_write_back_transaction_and_exits_0(string example, string category)
    {
        var (exit, output, error) = Run(string.Empty, "classify", Example(example));

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var bundle = Json(output);
        Assert.Equal("transaction", bundle.GetProperty("type").GetString());
        var report = bundle.GetProperty("entry").EnumerateArray()
            .Select(e => e.GetProperty("resource"))
            .Single(r => r.GetProperty("resourceType").GetString() == "DiagnosticReport");
        Assert.Equal(category, report.GetProperty("conclusionCode")[0].GetProperty("coding")[0].GetProperty("code").GetString());
    }

    [Fact]
    public void Classify_reads_standard_input()
    {
        var text = File.ReadAllText(Example("example-definite-ulnar-forearm.json"));

        var (exit, output, _) = Run(text, "classify", "-", "--compact");

        Assert.Equal(0, exit);
        Assert.Single(output.TrimEnd().Split('\n'));
        Assert.Equal(Run(string.Empty, "classify", Example("example-definite-ulnar-forearm.json"), "--compact").Out, output);
    }

    [Fact]
    public void Invalid_input_prints_an_operation_outcome_and_exits_2()
    {
        var file = Path.Combine(scratch, "truncated.json");
        File.WriteAllText(file, "{\"resourceType\":\"Bundle\",\"type\":");

        var (exit, output, error) = Run(string.Empty, "classify", file);

        Assert.Equal(2, exit);
        Assert.Empty(error);
        Assert.Equal("OperationOutcome", Json(output).GetProperty("resourceType").GetString());
    }

    [Fact]
    public void Validate_exits_0_for_an_assessable_bundle_and_says_so()
    {
        var (exit, output, _) = Run(string.Empty, "validate", Example("example-definite-ulnar-forearm.json"));

        Assert.Equal(0, exit);
        var issue = Json(output).GetProperty("issue")[0];
        Assert.Equal("information", issue.GetProperty("severity").GetString());
        Assert.Contains("15 result(s)", issue.GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_exits_2_with_every_problem_located()
    {
        var file = Path.Combine(scratch, "two-problems.json");
        var text = File.ReadAllText(Example("example-definite-ulnar-forearm.json"))
            .Replace("\"value\": 10.2", "\"value\": \"10.2\"", StringComparison.Ordinal)
            .Replace("\"effectiveDateTime\": \"2026-10-14\"", "\"effectiveDateTime\": \"14.10.2026\"", StringComparison.Ordinal);
        File.WriteAllText(file, text);

        var (exit, output, _) = Run(string.Empty, "validate", file);

        Assert.Equal(2, exit);
        var expressions = Json(output).GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("expression")[0].GetString()).ToList();
        Assert.Contains("Bundle.entry[1].resource.valueQuantity.value", expressions);
        Assert.Equal(16, expressions.Count);
    }

    [Fact]
    public void An_oversized_file_is_refused_without_reading_it()
    {
        var file = Path.Combine(scratch, "big.json");
        File.WriteAllText(file, new string(' ', 2048));

        var (exit, output, _) = Run(string.Empty, "classify", file, "--max-bytes", "1024");

        Assert.Equal(2, exit);
        Assert.Equal("too-long", Json(output).GetProperty("issue")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData]
    [InlineData("classify")]
    [InlineData("frobnicate", "x.json")]
    [InlineData("classify", "a.json", "--no-such-option")]
    public void Usage_errors_exit_1(params string[] args)
    {
        Assert.Equal(1, Run(string.Empty, args).Exit);
    }

    [Fact]
    public void A_missing_file_is_a_usage_error()
    {
        var (exit, output, error) = Run(string.Empty, "classify", Path.Combine(scratch, "nope.json"));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("No such file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_describes_the_commands()
    {
        var (exit, output, _) = Run(string.Empty, "--help");

        Assert.Equal(0, exit);
        Assert.Contains("classify", output, StringComparison.Ordinal);
        Assert.Contains("validate", output, StringComparison.Ordinal);
        Assert.Contains("--fhir-base", Run(string.Empty, "classify", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_installed_command_behaves_the_same_as_a_process()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fhirmmn.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("classify");
        info.ArgumentList.Add(Path.Combine(scratch, "missing.json"));
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(1, process.ExitCode);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
