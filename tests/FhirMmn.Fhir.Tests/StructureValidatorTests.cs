using System.Text.Json;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Fhir.R4;

namespace FhirMmn.Fhir.Tests;

public sealed class StructureValidatorTests
{
    private static IReadOnlyList<FhirIssue> Validate(string json, string? type = null)
    {
        using var document = JsonDocument.Parse(json);
        return R4StructureValidator.Validate(document.RootElement, type);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_bundle_is_valid_R4(string example)
    {
        Assert.Empty(Validate(Feeds.Text(example), "Bundle"));
    }

    public static TheoryData<string> Examples() => new(Feeds.AllExamples());

    [Theory]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"foo":1}""", "Observation.foo", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","code":{"text":"x"}}""", "Observation.status", IssueCodes.Required)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"ten"}}""", "Observation.valueQuantity.value", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"category":{"text":"x"}}""", "Observation.category", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":[{"text":"x"}]}""", "Observation.code", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2026-02-30"}""", "Observation.effectiveDateTime", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"14/10/2026"}""", "Observation.effectiveDateTime", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"2026-10-14"}""", "Observation.issued", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueBoolean":true,"valueInteger":1}""", "Observation.valueInteger", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":null}""", "Observation.subject", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{}}""", "Observation.code", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"category":[]}""", "Observation.category", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":""}}""", "Observation.code.text", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"fin al ","code":{"text":"x"}}""", "Observation.status", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","id":"has space","status":"final","code":{"text":"x"}}""", "Observation.id", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueInteger":1.5}""", "Observation.valueInteger", IssueCodes.Value)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"_foo":{"id":"a"}}""", "Observation._foo", IssueCodes.Structure)]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"valueBoolean":true}]}""", "Observation.component[0].code", IssueCodes.Required)]
    public void A_structural_error_is_reported_at_its_location(string json, string expression, string code)
    {
        var issues = Validate(json);

        var issue = Assert.Single(issues);
        Assert.Equal(expression, issue.Expression);
        Assert.Equal(code, issue.Code);
    }

    [Fact]
    public void A_hostile_base64_value_is_refused_not_backtracked_on()
    {
        var data = string.Concat(Enumerable.Repeat("AAAA  ", 5000)) + "!";
        var issue = Assert.Single(Validate($$"""{"resourceType":"Binary","contentType":"text/plain","data":"{{data}}"}"""));

        Assert.Equal(("Binary.data", IssueCodes.Value), (issue.Expression, issue.Code));
    }

    [Theory]
    [InlineData("status", "\"final\\n\"")]
    [InlineData("id", "\"abc\\n\"")]
    [InlineData("effectiveDateTime", "\"2026-01-01\\n\"")]
    public void A_value_with_a_trailing_newline_is_not_the_value(string element, string value)
    {
        var issue = Assert.Single(Validate($$"""{"resourceType":"Observation","status":"final","code":{"text":"x"},"{{element}}":{{value}}}""".Replace("\"status\":\"final\",\"code\"", element == "status" ? "\"code\"" : "\"status\":\"final\",\"code\"", StringComparison.Ordinal)));

        Assert.Equal(($"Observation.{element}", IssueCodes.Value), (issue.Expression, issue.Code));
    }

    [Fact]
    public void An_extension_of_a_complex_element_neither_counts_as_it_nor_repeats_unnoticed()
    {
        const string json = """
            {"resourceType":"Observation","status":"final","_code":{"id":"a"},"_code":{"id":"b"},"status":"final"}
            """;

        var issues = Validate(json).Select(i => (i.Code, i.Expression)).ToList();

        Assert.Equal(
            [
                (IssueCodes.Structure, "Observation._code"),
                (IssueCodes.Structure, "Observation._code"),
                (IssueCodes.Structure, "Observation.status"),
                (IssueCodes.Required, "Observation.code"),
            ],
            issues);
    }

    [Fact]
    public void Names_that_are_escaped_or_not_ascii_are_read_like_any_other()
    {
        Assert.Empty(Validate("""{"resourceType":"Observation","st\u0061tus":"final","code":{"text":"x"}}"""));
        var issue = Assert.Single(Validate("""{"resourceType":"Observation","status":"final","code":{"text":"x"},"stätus":"final"}"""));
        Assert.Equal("Observation.st?tus", issue.Expression);
        Assert.Single(Validate("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},\"" + new string('a', 100) + "\":1}"));
    }

    [Fact]
    public void Primitive_extensions_are_structure_not_unknown_elements()
    {
        const string json = """
            {"resourceType":"Observation","status":"final","_status":{"extension":[{"url":"http://example.org/x","valueString":"y"}]},
             "code":{"text":"x"},"category":[{"text":"a"}]}
            """;

        Assert.Empty(Validate(json));
    }

    [Fact]
    public void A_resource_inside_a_bundle_is_checked_against_its_own_type()
    {
        const string json = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"Patient","name":[{"family":"x"}],"deceasedBoolean":"no"}},
              {"resource":{"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/1"},"bogus":true}},
              {"resource":{"resourceType":"Unicorn"}}]}
            """;

        var issues = Validate(json, "Bundle");

        Assert.Equal(
            ["Bundle.entry[0].resource.deceasedBoolean", "Bundle.entry[1].resource.bogus", "Bundle.entry[2].resource.resourceType"],
            issues.Select(i => i.Expression));
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        const string json = """
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1","unit":2}}},
              {"resource":{"resourceType":"Observation","code":{"text":"x"},"effectiveDateTime":"yesterday"}}]}
            """;

        var issues = Validate(json, "Bundle");

        Assert.Equal(4, issues.Count);
        Assert.Contains(issues, i => i.Expression == "Bundle.entry[0].resource.valueQuantity.value");
        Assert.Contains(issues, i => i.Expression == "Bundle.entry[0].resource.valueQuantity.unit");
        Assert.Contains(issues, i => i.Expression == "Bundle.entry[1].resource.status");
        Assert.Contains(issues, i => i.Expression == "Bundle.entry[1].resource.effectiveDateTime");
    }

    [Fact]
    public void A_flood_of_problems_is_capped_with_a_summary()
    {
        var observations = string.Join(",", Enumerable.Range(0, 300).Select(_ => """{"resource":{"resourceType":"Observation","code":{"text":"x"}}}"""));
        var issues = Validate("""{"resourceType":"Bundle","type":"collection","entry":[""" + observations + "]}", "Bundle");

        Assert.Equal(R4StructureValidator.MaxIssues + 1, issues.Count);
        Assert.Contains("200 more", issues[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_never_repeat_the_values_they_reject()
    {
        const string secret = "Jane-Doe-1975";
        var json = $$$"""
            {"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"{{{secret}}} x",
             "code":{"text":"x"},"effectiveDateTime":"{{{secret}}}","valueInteger":"{{{secret}}}","{{{secret}}}":1}}]}
            """;

        var issues = Validate(json, "Bundle");

        Assert.NotEmpty(issues);
        Assert.All(issues, i => Assert.DoesNotContain(secret, i.Message + i.Expression, StringComparison.Ordinal));
    }

    [Fact]
    public void A_root_that_is_not_the_expected_type_is_refused()
    {
        var issue = Assert.Single(Validate("""{"resourceType":"Patient"}""", "Bundle"));

        Assert.Equal("Bundle.resourceType", issue.Expression);
    }
}

public sealed class R4SchemaTests
{
    [Fact]
    public void The_committed_r4_schema_is_what_the_official_definitions_generate()
    {
        var generated = Path.Combine(Path.GetTempPath(), $"r4-schema-{Guid.NewGuid():N}.json");
        try
        {
            var run = FhirMmn.Testing.NodeTools.RunNode("src/FhirMmn.Fhir/R4/generate-schema.mjs", generated);

            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Equal(File.ReadAllText(FhirMmn.Testing.Repository.PathOf("src", "FhirMmn.Fhir", "R4", "r4-schema.json")), File.ReadAllText(generated));
        }
        finally
        {
            File.Delete(generated);
        }
    }
}
