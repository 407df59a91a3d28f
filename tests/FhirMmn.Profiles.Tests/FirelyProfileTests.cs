using System.Text.Json.Nodes;
using FhirMmn.Testing;

namespace FhirMmn.Profiles.Tests;

/// <summary>
/// The profiles under Firely's validator (issue 12 item 4): every example and example feed passes it and Medplum's with
/// no error and no warning; every broken case in profiles/tests/broken fails it, a broken entry inside a feed bundle
/// included (the bundle is checked entry by entry).
/// </summary>
public sealed class FirelyProfileTests
{
    public static TheoryData<string> Examples() => new(
        Directory.GetFiles(Repository.PathOf("examples"), "*.json")
            .Concat(Directory.GetFiles(Repository.PathOf("profiles", "generated", "examples"), "*.json"))
            .Select(f => Path.GetRelativePath(Repository.Root, f))
            .Order(StringComparer.Ordinal));

    public static TheoryData<string, string, string> BrokenCases()
    {
        var cases = JsonNode.Parse(File.ReadAllText(Repository.PathOf("profiles", "tests", "broken", "cases.json")))!["cases"]!.AsArray();
        var data = new TheoryData<string, string, string>();
        foreach (var c in cases)
        {
            data.Add(c!["file"]!.GetValue<string>(), c["profile"]!.GetValue<string>(), c["expect"]!.GetValue<string>());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_passes_both_independent_validators(string file)
    {
        var result = IndependentValidators.Validate(File.ReadAllText(Repository.PathOf(file)));

        Assert.True(result.Valid, $"{file}:\n{result}");
    }

    [Theory]
    [MemberData(nameof(BrokenCases))]
    public void Every_broken_case_fails_firelys_validator(string file, string profile, string expect)
    {
        var errors = FirelyValidator.Errors(File.ReadAllText(Repository.PathOf("profiles", "tests", "broken", file)), profile);

        Assert.True(errors.Count > 0, $"{file} passed Firely's validator against {profile} (expected: {expect})");
    }

    [Fact]
    public void A_broken_cmap_inside_a_feed_bundle_fails_at_its_entry()
    {
        var errors = FirelyValidator.Errors(File.ReadAllText(Repository.PathOf("profiles", "tests", "broken", "bundle-with-broken-cmap.json")));

        Assert.Contains(errors, e => e.Contains("at Bundle.entry[1].resource", StringComparison.Ordinal) && e.Contains("mmn-cmap-observation", StringComparison.Ordinal));
    }
}
