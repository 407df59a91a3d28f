using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Testing;

namespace FhirMmn.Fhir.Tests;

/// <summary>Feed bundles for tests: the repository's examples, and edits of them.</summary>
internal static class Feeds
{
    public const string Definite = "example-definite-ulnar-forearm.json";
    public const string InsufficientNoArea = "example-insufficient-no-area.json";
    public const string NotMetUmn = "example-not-met-umn-signs.json";
    public const string Probable = "example-probable-two-nerves.json";
    public const string Possible = "example-possible-one-nerve.json";
    public const string NoClinical = "example-definite-no-clinical.json";
    public const string PeronealTransaction = "example-peroneal-transaction.json";
    public const string SnapMissing = "example-insufficient-snap-missing.json";
    public const string NotMetSensory = "example-not-met-sensory.json";
    public const string GradualSpan = "example-definite-gradual-span.json";
    public const string SupportiveNotDone = "example-insufficient-supportive-not-done.json";
    public const string SegmentalSnap = "example-definite-segmental-snap.json";
    public const string EquivocalAntiGm1 = "example-possible-equivocal-anti-gm1.json";
    public const string AssumedExclusions = "example-definite-assumed-exclusions.json";

    public static IEnumerable<string> AllExamples() =>
        Directory.GetFiles(Repository.PathOf("examples"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string Text(string example) => File.ReadAllText(Repository.PathOf("examples", example));

    public static JsonObject Load(string example) => JsonNode.Parse(Text(example))!.AsObject();

    public static JsonObject Entry(this JsonObject bundle, int index) => bundle["entry"]![index]!["resource"]!.AsObject();

    public static FeedReadResult Read(this JsonNode bundle, FeedReaderOptions? options = null) =>
        FeedReader.Read(Encoding.UTF8.GetBytes(bundle.ToJsonString()), options);

    public static FeedReadResult Read(string text, FeedReaderOptions? options = null) =>
        FeedReader.Read(Encoding.UTF8.GetBytes(text), options);

    public static FeedBundle Accepted(this FeedReadResult result)
    {
        Assert.True(result.Accepted, string.Join("\n", result.Issues.Select(i => $"{i.Expression}: {i.Message}")));
        return result.Bundle!;
    }

    public static JsonNode Quantity(decimal value, string unit) =>
        new JsonObject { ["value"] = value, ["unit"] = unit, ["system"] = "http://unitsofmeasure.org", ["code"] = unit };

    public static JsonObject Component(string ncsCode, JsonNode valueCodeableConcept) =>
        new() { ["code"] = Concept(Contract.Ncs, ncsCode), ["valueCodeableConcept"] = valueCodeableConcept };

    public static JsonNode Concept(string system, string code) =>
        new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

    public static JsonObject Observation(string id, JsonNode code, string patient = "Patient/p1", string date = "2026-10-01")
    {
        return new JsonObject
        {
            ["resourceType"] = "Observation",
            ["id"] = id,
            ["status"] = "final",
            ["code"] = code,
            ["subject"] = new JsonObject { ["reference"] = patient },
            ["effectiveDateTime"] = date,
        };
    }

    public static JsonObject Clinical(string id, string code, string property, JsonNode value, string date = "2026-10-01")
    {
        var o = Observation(id, Concept(Contract.MmnClinical, code), date: date);
        o[property] = value;
        return o;
    }

    public static JsonObject Bundle(params JsonObject[] observations)
    {
        var entries = new JsonArray();
        foreach (var o in observations)
        {
            entries.Add(new JsonObject { ["fullUrl"] = $"https://ehr.example.org/fhir/Observation/{o["id"]}", ["resource"] = o });
        }

        return new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = entries };
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
