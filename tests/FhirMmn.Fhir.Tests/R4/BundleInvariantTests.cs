using System.Text.Json.Nodes;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Testing;

namespace FhirMmn.Fhir.Tests.R4;

/// <summary>
/// The R4 Bundle invariants, each on both sides: a Bundle that breaks one is refused as not a valid R4 Bundle (400)
/// with the invariant's key, code invariant and the location; its nearest valid neighbour is not. The independent R4
/// validator (Medplum) is asked the same question of every case and must agree on the key.
/// </summary>
public sealed class BundleInvariantTests
{
    private const string Patient = "Patient/pat-example-definite-ulnar-forearm";

    private static JsonObject Definite() => Feeds.Load(Feeds.Definite);

    private static JsonArray Entries(JsonObject bundle) => bundle["entry"]!.AsArray();

    private static JsonObject Practitioner(string? versionId = null)
    {
        var practitioner = new JsonObject { ["resourceType"] = "Practitioner", ["id"] = "pr1", ["name"] = new JsonArray(new JsonObject { ["text"] = "Neurophysiology lab" }) };
        if (versionId is not null)
        {
            practitioner["meta"] = new JsonObject { ["versionId"] = versionId };
        }

        return new JsonObject { ["fullUrl"] = "https://ehr.example.org/fhir/Practitioner/pr1", ["resource"] = practitioner };
    }

    private static JsonObject MessageHeader() => new()
    {
        ["fullUrl"] = "urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e01",
        ["resource"] = new JsonObject
        {
            ["resourceType"] = "MessageHeader",
            ["eventCoding"] = new JsonObject { ["system"] = "https://ehr.example.org/events", ["code"] = "ncs-results" },
            ["source"] = new JsonObject { ["endpoint"] = "https://ehr.example.org/fhir" },
        },
    };

    private static JsonObject Composition() => new()
    {
        ["fullUrl"] = "urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e02",
        ["resource"] = new JsonObject
        {
            ["resourceType"] = "Composition",
            ["status"] = "final",
            ["type"] = new JsonObject { ["text"] = "Nerve conduction study" },
            ["subject"] = new JsonObject { ["reference"] = Patient },
            ["date"] = "2026-10-14",
            ["author"] = new JsonArray(new JsonObject { ["display"] = "Neurophysiology lab" }),
            ["title"] = "Nerve conduction study",
        },
    };

    private static JsonObject Document(Action<JsonObject>? change = null)
    {
        var bundle = Definite();
        bundle["type"] = "document";
        bundle["identifier"] = new JsonObject { ["system"] = "https://ehr.example.org/sid/documents", ["value"] = "d-1" };
        bundle["timestamp"] = "2026-10-14T10:00:00Z";
        Entries(bundle).Insert(0, Composition());
        change?.Invoke(bundle);
        return bundle;
    }

    private static JsonObject Message(Action<JsonObject>? change = null)
    {
        var bundle = Definite();
        bundle["type"] = "message";
        Entries(bundle).Insert(0, MessageHeader());
        change?.Invoke(bundle);
        return bundle;
    }

    private static JsonObject Searchset()
    {
        var bundle = Definite();
        bundle["type"] = "searchset";
        bundle["total"] = Entries(bundle).Count;
        foreach (var entry in Entries(bundle))
        {
            entry!["search"] = new JsonObject { ["mode"] = "match" };
        }

        return bundle;
    }

    /// <summary>Each case: the bundle, and the invariant it breaks with the location of the break (null: it breaks none).</summary>
    private static readonly Dictionary<string, (Func<JsonObject> Bundle, string? Key, string? Expression)> Cases = new()
    {
        ["a collection with a total"] = (() => { var b = Definite(); b["total"] = 16; return b; }, "bdl-1", "Bundle.total"),
        ["a collection with a total that has only an extension"] = (() =>
        {
            var b = Definite();
            b["_total"] = new JsonObject { ["extension"] = new JsonArray(new JsonObject { ["url"] = "https://ehr.example.org/x", ["valueString"] = "x" }) };
            return b;
        }, "bdl-1", "Bundle.total"),
        ["a searchset with a total and entry.search"] = (Searchset, null, null),

        ["a collection with entry.search"] = (() => { var b = Definite(); Entries(b)[1]!["search"] = new JsonObject { ["mode"] = "match" }; return b; }, "bdl-2", "Bundle.entry[1].search"),

        ["a collection with entry.request"] = (() => { var b = Definite(); Entries(b)[1]!["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Observation" }; return b; }, "bdl-3", "Bundle.entry[1].request"),
        ["a transaction with an entry without request"] = (() => { var b = Feeds.Load(Feeds.PeronealTransaction); Entries(b)[2]!.AsObject().Remove("request"); return b; }, "bdl-3", "Bundle.entry[2]"),
        ["a batch whose entries have no request"] = (() => { var b = Definite(); b["type"] = "batch"; return b; }, "bdl-3", "Bundle.entry[0]"),
        ["a transaction whose every entry has a request"] = (() => Feeds.Load(Feeds.PeronealTransaction), null, null),

        ["a collection with entry.response"] = (() => { var b = Definite(); Entries(b)[1]!["response"] = new JsonObject { ["status"] = "201" }; return b; }, "bdl-4", "Bundle.entry[1].response"),
        ["a transaction-response without entry.response"] = (() =>
        {
            var b = Feeds.Load(Feeds.PeronealTransaction);
            b["type"] = "transaction-response";
            foreach (var entry in Entries(b))
            {
                entry!.AsObject().Remove("request");
            }

            return b;
        }, "bdl-4", "Bundle.entry[0]"),

        ["an entry with only a fullUrl"] = (() => { var b = Definite(); Entries(b).Add(new JsonObject { ["fullUrl"] = "urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e03" }); return b; }, "bdl-5", "Bundle.entry[16]"),
        ["a transaction entry with only a request (a delete)"] = (() =>
        {
            var b = Feeds.Load(Feeds.PeronealTransaction);
            Entries(b).Add(new JsonObject { ["request"] = new JsonObject { ["method"] = "DELETE", ["url"] = "Observation/old" } });
            return b;
        }, null, null),

        ["two entries with one fullUrl"] = (() => { var b = Definite(); Entries(b).Add(Practitioner()); Entries(b).Add(Practitioner()); return b; }, "bdl-7", "Bundle.entry[17].fullUrl"),
        ["two entries with one fullUrl and one version"] = (() => { var b = Definite(); Entries(b).Add(Practitioner("1")); Entries(b).Add(Practitioner("1")); return b; }, "bdl-7", "Bundle.entry[17].fullUrl"),
        ["two entries with one fullUrl, one with a version"] = (() => { var b = Definite(); Entries(b).Add(Practitioner("1")); Entries(b).Add(Practitioner()); return b; }, null, null),
        ["two entries with one fullUrl and two versions"] = (() => { var b = Definite(); Entries(b).Add(Practitioner("1")); Entries(b).Add(Practitioner("2")); return b; }, null, null),

        ["a version-specific fullUrl"] = (() => { var b = Definite(); Entries(b)[1]!["fullUrl"] = Entries(b)[1]!["fullUrl"]!.GetValue<string>() + "/_history/2"; return b; }, "bdl-8", "Bundle.entry[1].fullUrl"),
        ["the same bundle with plain fullUrls"] = (Definite, null, null),

        ["a document without identifier"] = (() => Document(b => b.Remove("identifier")), "bdl-9", "Bundle.identifier"),
        ["a document whose identifier has no value"] = (() => Document(b => b["identifier"]!.AsObject().Remove("value")), "bdl-9", "Bundle.identifier"),
        ["a document without timestamp"] = (() => Document(b => b.Remove("timestamp")), "bdl-10", "Bundle.timestamp"),
        ["a document whose timestamp has only an extension"] = (() => Document(b =>
        {
            b.Remove("timestamp");
            b["_timestamp"] = new JsonObject { ["extension"] = new JsonArray(new JsonObject { ["url"] = "http://hl7.org/fhir/StructureDefinition/data-absent-reason", ["valueCode"] = "unknown" }) };
        }), "bdl-10", "Bundle.timestamp"),
        ["a document whose Composition is not first"] = (() => Document(b => { var c = Entries(b)[0]!; Entries(b).RemoveAt(0); Entries(b).Add(c); }), "bdl-11", "Bundle.entry[0]"),
        ["a document without entries"] = (() => Document(b => b.Remove("entry")), "bdl-11", "Bundle"),
        ["a document with its identifier, timestamp and Composition first"] = (() => Document(), null, null),

        ["a message whose MessageHeader is not first"] = (() => Message(b => { var h = Entries(b)[0]!; Entries(b).RemoveAt(0); Entries(b).Add(h); }), "bdl-12", "Bundle.entry[0]"),
        ["a message without MessageHeader"] = (() => Message(b => Entries(b).RemoveAt(0)), "bdl-12", "Bundle.entry[0]"),
        ["a message with its MessageHeader first"] = (() => Message(), null, null),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_invariant_is_enforced_and_its_neighbour_is_read(string name)
    {
        var (bundle, key, expression) = Cases[name];

        var result = bundle().Read();

        if (key is null)
        {
            Assert.DoesNotContain(result.Issues, i => i.Code == IssueCodes.Invariant);
            Assert.True(result.Accepted, string.Join("; ", result.Issues.Select(i => $"{i.Expression}: {i.Message}")));
            return;
        }

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        var issue = result.Issues.First(i => i.Message.StartsWith(key + ":", StringComparison.Ordinal));
        Assert.Equal((IssueCodes.Invariant, expression), (issue.Code, issue.Expression));
        Assert.All(result.Issues, i => Assert.Equal(IssueCodes.Invariant, i.Code));
    }

    /// <summary>
    /// Where FhirMmn reads the FHIRPath more strictly than Medplum: hasValue() is false for a primitive that has only
    /// extensions, so such a timestamp breaks bdl-10; Medplum takes the element's presence for a value.
    /// </summary>
    private static readonly HashSet<string> StricterThanMedplum = new(StringComparer.Ordinal) { "a document whose timestamp has only an extension" };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_independent_validator_agrees_on_each_case(string name)
    {
        var (bundle, key, _) = Cases[name];
        if (StricterThanMedplum.Contains(name))
        {
            key = null;
        }

        var result = R4Validator.Shared.Validate(bundle().ToJsonString());

        var broken = result.Issues.Where(i => i.Contains("Constraint bdl-", StringComparison.Ordinal)).ToList();
        if (key is null)
        {
            Assert.Empty(broken);
        }
        else
        {
            Assert.Contains(broken, i => i.Contains($"Constraint {key} not met", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_history_bundle_meets_the_invariants_and_is_then_refused_by_the_feed_for_its_type()
    {
        var bundle = Definite();
        bundle["type"] = "history";
        Entries(bundle).Add(Practitioner());
        foreach (var entry in Entries(bundle))
        {
            entry!["request"] = new JsonObject { ["method"] = "PUT", ["url"] = "Observation/x" };
            entry["response"] = new JsonObject { ["status"] = "200" };
        }

        Entries(bundle).Add(Practitioner()); // bdl-7 exempts history Bundles
        Entries(bundle)[^1]!["request"] = new JsonObject { ["method"] = "PUT", ["url"] = "Practitioner/pr1" };
        Entries(bundle)[^1]!["response"] = new JsonObject { ["status"] = "200" };

        var result = bundle.Read();

        Assert.Equal(FeedRefusal.ContractViolation, result.Refusal);
        Assert.Equal("Bundle.type", Assert.Single(result.Issues).Expression);
    }

    [Fact]
    public void An_entry_rule_broken_by_every_entry_is_capped_with_a_summary()
    {
        var bundle = Definite();
        for (var i = 0; i < 300; i++)
        {
            Entries(bundle).Add(new JsonObject { ["fullUrl"] = $"urn:uuid:6f0c4b1e-7a53-4a0e-9a61-{i:D12}" });
        }

        var result = bundle.Read();

        Assert.Equal(101, result.Issues.Count);
        Assert.Equal("200 more Bundle invariant issue(s) not listed.", result.Issues[^1].Message);
    }

    [Fact]
    public void An_invariant_refusal_is_an_operation_outcome_with_the_key_the_code_and_the_location()
    {
        var bundle = Definite();
        Entries(bundle).Add(new JsonObject { ["fullUrl"] = "urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e03" });

        var outcome = FhirJson.Serialize(bundle.Read().ToOperationOutcome());

        using var document = System.Text.Json.JsonDocument.Parse(outcome);
        var issue = document.RootElement.GetProperty("issue")[0];
        Assert.Equal("invariant", issue.GetProperty("code").GetString());
        Assert.StartsWith("bdl-5: ", issue.GetProperty("details").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bundle.entry[16]", issue.GetProperty("expression")[0].GetString());
    }

    [Fact]
    public void A_version_specific_fullUrl_is_found_also_when_its_slashes_are_escaped()
    {
        var text = Feeds.Serialize(Definite()).Replace(
            "\"https://ehr.example.org/fhir/Observation/example-definite-ulnar-forearm-obs-1\"",
            "\"https:\\/\\/ehr.example.org\\/fhir\\/Observation\\/example-definite-ulnar-forearm-obs-1\\/_history\\/2\"",
            StringComparison.Ordinal);

        var result = Feeds.Read(text);

        Assert.Equal("Bundle.entry[1].fullUrl", Assert.Single(result.Issues).Expression);
    }
}
