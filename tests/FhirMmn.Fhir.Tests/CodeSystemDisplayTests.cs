using System.Text.Json.Nodes;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Testing;
using Hl7.Fhir.Model;
using FhirJson = FhirMmn.Fhir.Model.FhirJson;

namespace FhirMmn.Fhir.Tests;

/// <summary>
/// Codes and displays agree (issue 11 item 4): every coding FhirMmn writes carries exactly the display its CodeSystem
/// gives (FhirMmn's in profiles/generated, R4 core's in specification.zip); qualifiers go in CodeableConcept.text.
/// </summary>
public sealed class CodeSystemDisplayTests
{
    public static TheoryData<string> Examples() => new(Feeds.AllExamples());

    public static TheoryData<string> ProfileExamples() => new(
        Directory.GetFiles(Repository.PathOf("profiles", "generated", "examples"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_coding_the_builders_write_has_exactly_its_code_systems_display(string example)
    {
        var writeBack = Assessor.AssessOffline(Feeds.Load(example).Read().Accepted(), "default", null).WriteBack;

        var codings = new Resource[] { writeBack.Report, writeBack.CarePlan, writeBack.Provenance, writeBack.Device }
            .SelectMany(r => CodeSystemDisplays.CodingsIn(JsonNode.Parse(FhirJson.Serialize(r)), r.TypeName))
            .Where(c => !c.Path.Contains(".meta.tag", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(codings);
        Assert.All(codings, AssertDisplayMatches);
        Assert.Contains(codings, c => c.System == Contract.MmnReport);
        Assert.Contains(codings, c => c.System == Terminology.DiagnosticServiceSection);
    }

    [Theory]
    [MemberData(nameof(ProfileExamples))]
    public void Every_coding_in_the_profile_examples_has_exactly_its_code_systems_display(string example)
    {
        var json = JsonNode.Parse(File.ReadAllText(Repository.PathOf("profiles", "generated", "examples", example)));

        Assert.All(
            CodeSystemDisplays.CodingsIn(json).Where(c => c.Display is not null && !c.Path.Contains("meta.tag", StringComparison.Ordinal)),
            AssertDisplayMatches);
    }

    [Fact]
    public void The_check_finds_a_wrong_display_and_knows_the_r4_display_of_electroneuro()
    {
        Assert.Equal("Electroneuro (EEG, EMG,EP,PSG)", CodeSystemDisplays.Concepts(Terminology.DiagnosticServiceSection)!["EN"]);
        Assert.Equal("Grip strength measurement", CodeSystemDisplays.Concepts(Contract.MmnReport)!["grip-strength"]);
        Assert.Null(CodeSystemDisplays.Concepts("http://example.org/unknown"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            AssertDisplayMatches(("CarePlan.activity", Contract.MmnReport, "grip-strength", "Grip strength monitoring")));
    }

    private static void AssertDisplayMatches((string Path, string System, string Code, string? Display) coding)
    {
        if (CodeSystemDisplays.External.Contains(coding.System))
        {
            return;
        }

        var concepts = CodeSystemDisplays.Concepts(coding.System);
        Assert.True(concepts is not null, $"{coding.Path}: code system {coding.System} is neither FhirMmn's nor in R4 core");
        Assert.True(concepts.TryGetValue(coding.Code, out var display), $"{coding.Path}: {coding.System}#{coding.Code} is not in its code system");
        Assert.True(coding.Display == display, $"{coding.Path}: {coding.System}#{coding.Code} has display '{coding.Display}', its code system says '{display}'");
    }
}
