using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Testing;

namespace FhirMmn.Cli.Tests;

/// <summary>`fhirmmn validate --profiles FILE` (issue 12 item 5): the deep validation, with locations and no values.</summary>
public sealed class ProfileValidationTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-cli-profiles-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    public static TheoryData<string> Examples() => new(
        Directory.GetFiles(Repository.PathOf("examples"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> BrokenBundles() => new(
        Directory.GetFiles(Repository.PathOf("profiles", "tests", "broken"), "bundle-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private static List<JsonElement> Issues(string output) =>
        JsonDocument.Parse(output).RootElement.GetProperty("issue").EnumerateArray().Select(i => i.Clone()).ToList();

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_feed_passes_the_deep_validation_with_no_error_and_no_warning(string example)
    {
        var (exit, output, error) = CliTests.Run(string.Empty, "validate", "--profiles", Repository.PathOf("examples", example));

        Assert.True(exit == 0, output + error);
        var issues = Issues(output);
        Assert.All(issues, i => Assert.Equal("information", i.GetProperty("severity").GetString()));
        Assert.Contains(issues, i => i.GetProperty("details").GetProperty("text").GetString()!.Contains("no error, no warning", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BrokenBundles))]
    public void Every_broken_bundle_fails_the_deep_validation_with_a_location(string file)
    {
        var (exit, output, _) = CliTests.Run(string.Empty, "validate", "--profiles", Repository.PathOf("profiles", "tests", "broken", file));

        Assert.Equal(2, exit);
        Assert.Contains(Issues(output), i => i.GetProperty("severity").GetString() == "error" && i.TryGetProperty("expression", out _));
    }

    [Fact]
    public void A_broken_cmap_the_plain_reader_accepts_is_found_at_its_entry_only_by_the_deep_validation()
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Repository.PathOf("examples", "example-definite-ulnar-forearm.json")))!;
        bundle["entry"]![1]!["resource"]!["status"] = "final";
        bundle["entry"]![1]!["resource"]!["bodySite"]!["coding"]![0]!["display"] = "Ulnar nerve PHI-7731";
        var file = Path.Combine(scratch, "display.json");
        File.WriteAllText(file, bundle.ToJsonString());

        var plain = CliTests.Run(string.Empty, "validate", file);
        var (exit, output, _) = CliTests.Run(string.Empty, "validate", "--profiles", file);

        Assert.Equal(0, plain.Exit);
        Assert.DoesNotContain("profiles", plain.Out, StringComparison.Ordinal);
        Assert.Equal(0, exit);
        var warning = Assert.Single(Issues(output), i => i.GetProperty("severity").GetString() == "warning");
        Assert.StartsWith("Bundle.entry[1].resource.bodySite", warning.GetProperty("expression")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PHI-7731", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_the_validator_would_quote_never_reach_the_outcome()
    {
        var bundle = JsonNode.Parse(File.ReadAllText(Repository.PathOf("examples", "example-definite-ulnar-forearm.json")))!;
        bundle["entry"]![1]!["resource"]!["valueQuantity"]!["value"] = "PHI-7731";
        bundle["entry"]![2]!["resource"]!["effectiveDateTime"] = "1961-02-30";
        bundle["entry"]![0]!["resource"]!["birthDate"] = "PHI-1961";
        var file = Path.Combine(scratch, "values.json");
        File.WriteAllText(file, bundle.ToJsonString());

        var (exit, output, error) = CliTests.Run(string.Empty, "validate", "--profiles", file);

        Assert.Equal(2, exit);
        Assert.NotEmpty(Issues(output));
        foreach (var planted in new[] { "PHI-7731", "1961-02-30", "PHI-1961" })
        {
            Assert.DoesNotContain(planted, output, StringComparison.Ordinal);
            Assert.DoesNotContain(planted, error, StringComparison.Ordinal);
        }
    }
}
