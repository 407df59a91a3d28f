using System.Text;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.Tests;

/// <summary>Bad input: a clear OperationOutcome with the right refusal, never a crash, never an echoed value.</summary>
public sealed class FeedReaderTests
{
    private static FhirIssue SingleError(FeedReadResult result) => Assert.Single(result.Issues, i => i.IsError);

    [Fact]
    public void Truncated_json_is_not_json_and_says_where_it_broke()
    {
        var text = Feeds.Text(Feeds.Definite);

        var result = Feeds.Read(text[..(text.Length / 2)]);

        Assert.Equal(FeedRefusal.NotJson, result.Refusal);
        Assert.Matches(@"not valid JSON \(line \d+, byte \d+\)", SingleError(result).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"Bundle\"")]
    [InlineData("{\"resourceType\":\"Bundle\",\"type\":\"collection\",,}")]
    public void Garbage_is_refused_with_an_outcome(string text)
    {
        var result = Feeds.Read(text);

        Assert.False(result.Accepted);
        Assert.Contains(result.Refusal, new[] { FeedRefusal.NotJson, FeedRefusal.InvalidBundle });
        Assert.NotEmpty(result.ToOperationOutcome().Issue);
    }

    [Fact]
    public void A_resource_that_is_not_a_bundle_is_an_invalid_bundle()
    {
        var result = Feeds.Read(Feeds.Load(Feeds.Definite).Entry(1));

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        Assert.Equal("Bundle.resourceType", SingleError(result).Expression);
    }

    [Fact]
    public void A_string_where_a_number_belongs_is_an_invalid_bundle_at_that_element()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(2)["valueQuantity"]!["value"] = "3.1";

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        Assert.Equal("Bundle.entry[2].resource.valueQuantity.value", SingleError(result).Expression);
    }

    [Fact]
    public void A_quantity_without_its_ucum_unit_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        var quantity = bundle.Entry(1)["valueQuantity"]!.AsObject();
        quantity.Remove("system");
        quantity.Remove("code");

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        var issue = SingleError(result);
        Assert.Equal("Bundle.entry[1].resource.valueQuantity", issue.Expression);
        Assert.Equal(IssueCodes.CodeInvalid, issue.Code);
    }

    [Theory]
    [InlineData("kg")]
    [InlineData("mv")]
    [InlineData("[arb'U]")]
    public void An_unknown_unit_breaks_the_contract(string unit)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["component"]![2]!["valueQuantity"] = Feeds.Quantity(26m, unit);

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Equal("Bundle.entry[1].resource.component[2].valueQuantity", SingleError(result).Expression);
    }

    [Fact]
    public void Observations_of_two_patients_break_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(4)["subject"] = new JsonObject { ["reference"] = "Patient/someone-else" };

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Contains("more than one patient", SingleError(result).Message, StringComparison.Ordinal);
        Assert.Equal("Bundle.entry[4].resource.subject", SingleError(result).Expression);
    }

    [Fact]
    public void A_bundle_with_two_patients_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle["entry"]!.AsArray().Add(new JsonObject
        {
            ["fullUrl"] = "https://ehr.example.org/fhir/Patient/other",
            ["resource"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = "other" },
        });

        Assert.Equal(FeedRefusal.ContractViolation, bundle.Read().Refusal);
    }

    [Theory]
    [InlineData("""{"resourceType":"Bundle","type":"collection"}""")]
    [InlineData("""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p"}}]}""")]
    [InlineData("""{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]}}}]}""")]
    public void A_bundle_with_nothing_to_assess_breaks_the_contract(string text)
    {
        var result = Feeds.Read(text);

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Contains("Nothing to assess", SingleError(result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var result = Feeds.Read(Feeds.Text(Feeds.Definite), new FeedReaderOptions { MaxBytes = 1000 });

        Assert.Equal(FeedRefusal.TooLarge, result.Refusal);
        Assert.Equal(IssueCodes.TooLong, SingleError(result).Code);
    }

    [Fact]
    public void A_50_MB_bundle_is_refused_by_default_and_read_without_crashing_when_allowed()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        var filler = new JsonArray();
        var entries = bundle["entry"]!.AsArray();
        var note = new string('x', 10_000);
        while (Encoding.UTF8.GetByteCount(bundle.ToJsonString()) < 50 * 1024 * 1024)
        {
            for (var i = 0; i < 500; i++)
            {
                var other = Feeds.Observation($"bp-{entries.Count}", Feeds.Concept("http://loinc.org", "8867-4"), "Patient/pat-example-definite-ulnar-forearm");
                other["note"] = new JsonArray(new JsonObject { ["text"] = note });
                entries.Add(new JsonObject { ["fullUrl"] = $"https://ehr.example.org/fhir/Observation/bp-{entries.Count}", ["resource"] = other });
            }
        }

        var bytes = Encoding.UTF8.GetBytes(bundle.ToJsonString());

        Assert.Equal(FeedRefusal.TooLarge, FeedReader.Read(bytes).Refusal);
        var allowed = FeedReader.Read(bytes, new FeedReaderOptions { MaxBytes = 64L * 1024 * 1024 });
        Assert.True(allowed.Accepted);
        Assert.Equal(15, allowed.Bundle!.Observations.Count);
    }

    [Fact]
    public void A_urn_subject_without_a_patient_identifier_is_refused()
    {
        var bundle = Feeds.Load(Feeds.PeronealTransaction);
        bundle.Entry(0).Remove("identifier");

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Equal("Bundle.entry[0].resource.identifier", SingleError(result).Expression);
    }

    [Fact]
    public void A_urn_result_without_an_identifier_is_refused()
    {
        var bundle = Feeds.Load(Feeds.PeronealTransaction);
        bundle.Entry(3).Remove("identifier");

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Equal("Bundle.entry[3].resource.identifier", SingleError(result).Expression);
    }

    [Fact]
    public void A_stimulation_site_of_the_other_limb_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["component"]![0]!["valueCodeableConcept"] = Feeds.Concept(Contract.StimulationSite, "ankle");

        Assert.Equal("Bundle.entry[1].resource.component[0].valueCodeableConcept", SingleError(bundle.Read()).Expression);
    }

    /// <summary>criteria revision 2 item 4 (docs/criteria.md): a SNAP may name its stimulation site, on its nerve's limb.</summary>
    [Fact]
    public void A_snap_stimulation_site_of_the_other_limb_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(7)["component"]!.AsArray().Add(Feeds.Component(ContractCodes.StimulationSiteComponent, Feeds.Concept(Contract.StimulationSite, "ankle")));

        Assert.Equal("Bundle.entry[7].resource.component[1].valueCodeableConcept", SingleError(bundle.Read()).Expression);
    }

    [Fact]
    public void A_snap_stimulation_site_outside_the_vocabulary_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(7)["component"]!.AsArray().Add(Feeds.Component(ContractCodes.StimulationSiteComponent, Feeds.Concept(Contract.StimulationSite, "palm")));

        Assert.Equal("Bundle.entry[7].resource.component[1].valueCodeableConcept", SingleError(bundle.Read()).Expression);
    }

    [Fact]
    public void Two_results_for_one_site_of_one_study_break_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(2)["component"]![0]!["valueCodeableConcept"] = Feeds.Concept(Contract.StimulationSite, "wrist");

        var result = bundle.Read();

        Assert.Equal(IssueCodes.Duplicate, SingleError(result).Code);
    }

    [Fact]
    public void An_unknown_code_of_a_fhirmmn_code_system_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(10)["code"] = Feeds.Concept(Contract.MmnClinical, "weakness-nerve-cuont");

        Assert.Equal("Bundle.entry[10].resource.code.coding[0].code", SingleError(bundle.Read()).Expression);
    }

    [Fact]
    public void A_result_with_an_unknown_modifier_extension_is_not_used_silently()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["modifierExtension"] = new JsonArray(new JsonObject { ["url"] = "http://example.org/negated", ["valueBoolean"] = true });

        Assert.Equal("Bundle.entry[1].resource.modifierExtension", SingleError(bundle.Read()).Expression);
    }

    [Fact]
    public void A_cmap_without_laterality_or_site_says_which_is_missing()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["component"]!.AsArray().RemoveAt(1);
        bundle.Entry(2)["component"]!.AsArray().RemoveAt(0);

        var errors = bundle.Read().Issues.Where(i => i.IsError).ToList();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Expression == "Bundle.entry[1].resource.component" && e.Message.Contains("laterality", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Expression == "Bundle.entry[2].resource.component" && e.Message.Contains("stimulation-site", StringComparison.Ordinal));
    }

    [Fact]
    public void A_negative_or_absurd_amplitude_breaks_the_contract()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["valueQuantity"]!["value"] = -10.2m;
        bundle.Entry(2)["valueQuantity"]!["value"] = 1e9m;

        var errors = bundle.Read().Issues.Where(i => i.IsError).Select(i => i.Expression).ToList();

        Assert.Equal(["Bundle.entry[1].resource.valueQuantity", "Bundle.entry[2].resource.valueQuantity"], errors);
    }

    [Fact]
    public void A_history_bundle_is_not_a_feed()
    {
        // A valid R4 history Bundle (bdl-3 and bdl-4: each entry has a request and a response), refused for its type.
        var bundle = Feeds.Load(Feeds.Definite);
        bundle["type"] = "history";
        foreach (var entry in bundle["entry"]!.AsArray())
        {
            entry!["request"] = new JsonObject { ["method"] = "PUT", ["url"] = "Observation/x" };
            entry["response"] = new JsonObject { ["status"] = "200" };
        }

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Equal("Bundle.type", SingleError(result).Expression);
    }

    [Fact]
    public void No_refusal_repeats_a_patient_value()
    {
        const string secret = "MRN-SECRET-42";
        var bundle = Feeds.Load(Feeds.PeronealTransaction);
        bundle.Entry(0)["identifier"]![0]!["value"] = secret;
        bundle.Entry(3)["subject"] = new JsonObject { ["reference"] = "Patient/" + secret };
        bundle.Entry(4)["valueQuantity"]!["code"] = secret;

        var outcome = FhirJson.Serialize(bundle.Read().ToOperationOutcome());

        Assert.Contains("error", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, outcome, StringComparison.Ordinal);
    }
}
