using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Testing;

namespace FhirMmn.Cli.Tests;

/// <summary>
/// fhirmmn feeds list and feeds check on the worked example of a made-up hospital (examples/feeds/northfield): its own
/// codes mapped by its ConceptMaps alone, the transaction printed and never sent, refusals as OperationOutcomes.
/// </summary>
public sealed class FeedCommandTests : IDisposable
{
    private static readonly string Folder = Repository.PathOf("examples", "feeds", "northfield");
    private static readonly string Settings = Path.Combine(Folder, "appsettings.northfield.json");
    private static readonly string Sample = Path.Combine(Folder, "bundle-definite-ulnar-forearm.json");
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-feeds-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static IEnumerable<JsonElement> Resources(string transaction) =>
        JsonDocument.Parse(transaction).RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").Clone());

    /// <summary>The example's settings with its code maps (absolute paths) and the sample, the first map changed by <paramref name="codeMap"/>, the sample by <paramref name="sample"/>.</summary>
    private (string Settings, string Sample) Variant(Action<JsonNode>? codeMap = null, Func<string, string>? sample = null)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Settings))!;
        var maps = settings["Feeds"]!["northfield"]!["CodeMaps"]!.AsArray();
        for (var i = 0; i < maps.Count; i++)
        {
            var map = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, (string)maps[i]!)))!;
            if (i == 0)
            {
                codeMap?.Invoke(map);
            }

            var file = Path.Combine(scratch, $"map-{i}.json");
            File.WriteAllText(file, map.ToJsonString());
            maps[i] = file;
        }

        var settingsFile = Path.Combine(scratch, "appsettings.json");
        File.WriteAllText(settingsFile, settings.ToJsonString());
        var sampleFile = Path.Combine(scratch, "sample.json");
        File.WriteAllText(sampleFile, (sample ?? (s => s))(File.ReadAllText(Sample)));
        return (settingsFile, sampleFile);
    }

    [Fact]
    public void Feeds_check_maps_the_hospitals_codes_and_prints_the_golden_transaction_without_sending_it()
    {
        var (exit, output, error) = CliTests.Run(string.Empty, "feeds", "check", "northfield", Sample, "--settings", Settings);

        Assert.True(exit == 0, output + error);
        Assert.Contains("nothing was sent", error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(Folder, "writeback-definite-ulnar-forearm.transaction.json")).ReplaceLineEndings(), output.ReplaceLineEndings());
        var resources = Resources(output).ToList();
        var report = resources.Single(r => r.GetProperty("resourceType").GetString() == "DiagnosticReport");
        Assert.Equal("definite", report.GetProperty("conclusionCode")[0].GetProperty("coding")[0].GetProperty("code").GetString());
        var provenance = resources.Single(r => r.GetProperty("resourceType").GetString() == "Provenance");
        Assert.Equal(
            [
                "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|0.2.0",
                "https://emg.northfield-general.example/fhir/ConceptMap/emg-codes|1.0.0",
                "https://emg.northfield-general.example/fhir/ConceptMap/emg-units|1.0.0",
            ],
            provenance.GetProperty("policy").EnumerateArray().Select(p => p.GetString()));

        // The results the write-back creates carry the contract's codes, not the hospital's.
        Assert.DoesNotContain("emg.northfield-general.example/fhir/CodeSystem", output, StringComparison.Ordinal);
        Assert.DoesNotContain("microV", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_golden_write_back_is_valid_R4_and_keeps_the_profiles()
    {
        var golden = File.ReadAllText(Path.Combine(Folder, "writeback-definite-ulnar-forearm.transaction.json"));
        var validation = R4Validator.Shared.Validate(golden);
        Assert.True(validation.Valid, validation.ToString());
        var files = new List<string>();
        foreach (var resource in Resources(golden).Where(r => r.GetProperty("resourceType").GetString() is "DiagnosticReport" or "CarePlan" or "Provenance" or "Device"))
        {
            var file = Path.Combine(scratch, $"{resource.GetProperty("resourceType").GetString()}.json");
            File.WriteAllText(file, resource.GetRawText());
            files.Add(file);
        }

        var run = NodeTools.RunNode("profiles/scripts/validate-profile.mjs", [.. files]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }

    [Fact]
    public void Without_its_code_maps_the_hospitals_nerve_conduction_results_are_not_read()
    {
        var (exit, output, _) = CliTests.Run(string.Empty, "classify", Sample);

        // Only the findings it sends in the contract's codes are read: no study, so nothing can be graded.
        Assert.Equal(0, exit);
        var report = Resources(output).Single(r => r.GetProperty("resourceType").GetString() == "DiagnosticReport");
        Assert.Equal("insufficient-data", report.GetProperty("conclusionCode")[0].GetProperty("coding")[0].GetProperty("code").GetString());
    }

    [Fact]
    public void An_unmapped_code_is_refused_naming_the_path_and_the_code_system_but_not_the_code()
    {
        var (settings, sample) = Variant(sample: s => s.Replace("\"N-MED\"", "\"N-XYZ-77\"", StringComparison.Ordinal));

        var (exit, output, _) = CliTests.Run(string.Empty, "feeds", "check", "northfield", sample, "--settings", settings);

        Assert.Equal(2, exit);
        var issue = JsonDocument.Parse(output).RootElement.GetProperty("issue")[0];
        Assert.Equal("code-invalid", issue.GetProperty("code").GetString());
        Assert.Matches(@"^Bundle\.entry\[\d+\]\.resource\.bodySite\.coding\[0\]$", issue.GetProperty("expression")[0].GetString());
        Assert.Contains("https://emg.northfield-general.example/fhir/CodeSystem/nerve", issue.GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("N-XYZ-77", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wider")]
    [InlineData("inexact")]
    [InlineData("unmatched")]
    public void A_mapping_that_is_not_equal_or_equivalent_is_not_applied(string equivalence)
    {
        var (settings, sample) = Variant(codeMap: map =>
        {
            var nerves = map["group"]!.AsArray().Single(g => (string?)g!["target"] == "http://fhirmmn.org/fhir/CodeSystem/nerve")!;
            var median = nerves["element"]!.AsArray().Single(e => (string?)e!["code"] == "N-MED")!;
            median["target"]![0]!["equivalence"] = equivalence;
        });

        var (exit, output, _) = CliTests.Run(string.Empty, "feeds", "check", "northfield", sample, "--settings", settings);

        Assert.Equal(2, exit);
        Assert.Contains("bodySite.coding[0]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unit_spelling_without_a_mapping_is_refused_at_its_quantity()
    {
        var (settings, sample) = Variant(sample: s => s.Replace("\"unit\": \"microV\"", "\"unit\": \"uVolt\"", StringComparison.Ordinal));

        var (exit, output, _) = CliTests.Run(string.Empty, "feeds", "check", "northfield", sample, "--settings", settings);

        Assert.Equal(2, exit);
        Assert.Contains("valueQuantity", output, StringComparison.Ordinal);
        Assert.DoesNotContain("uVolt", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Feeds_list_shows_the_feeds_and_their_targets_without_secrets()
    {
        var (exit, output, error) = CliTests.Run(string.Empty, "feeds", "list", "--settings", Settings);

        Assert.True(exit == 0, error);
        Assert.StartsWith("northfield", output, StringComparison.Ordinal);
        Assert.Contains("https://fhir.northfield-general.example/r4", output, StringComparison.Ordinal);
        Assert.Contains("SMART Backend Services", output, StringComparison.Ordinal);
        Assert.Contains("emg-codes|1.0.0", output, StringComparison.Ordinal);
        Assert.DoesNotContain("/run/secrets", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_feed_settings_stop_the_check_with_lines_naming_the_key()
    {
        var file = Path.Combine(scratch, "broken.json");
        File.WriteAllText(file, """
            {"Feeds": {"a": {"ReportStatus": "done", "CodeMaps": ["missing.json"], "FhirServer": {"Auth": "static", "Token": "a-literal-token"}}}}
            """);

        var (exit, _, error) = CliTests.Run(string.Empty, "feeds", "list", "--settings", file);

        Assert.Equal(1, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("Feeds:a:ReportStatus must be preliminary or final (from character 1 on it is none of them)", lines);
        Assert.Contains(lines, l => l.StartsWith("Feeds:a:CodeMaps:0 must be a ConceptMap file that can be read", StringComparison.Ordinal));
        Assert.Contains("Feeds:a:FhirServer:Token must be a reference env:NAME or file:PATH to where the secret is kept, never the secret itself (it is not a reference)", lines);
        Assert.DoesNotContain("a-literal-token", error, StringComparison.Ordinal);
    }
}
