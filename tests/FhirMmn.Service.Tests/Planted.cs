using System.Text.Json.Nodes;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A bundle carrying distinctive patient data (name, identifiers, date of birth, a note), for the tests that check no
/// operations surface shows any of it: the peroneal transaction example, whose patient a fresh FHIR server does not
/// know (so it is dead-lettered until <see cref="PatientJson"/> is registered).
/// </summary>
public static class Planted
{
    public const string Mrn = "MRN-QX7731-PLANT";
    public const string Family = "Quorvexintaly";
    public const string Given = "Zephyrinelle";
    public const string BirthDate = "1931-07-29";
    public const string ResultIdentifier = "QXOBS-PLANT-";
    public const string Note = "Vortigernia";

    /// <summary>Every planted text: none may appear in an API answer, the page, a metric label or a span.</summary>
    public static readonly string[] Values = [Mrn, Family, Given, BirthDate, ResultIdentifier, Note, "QX7731"];

    public static string Bundle()
    {
        var text = ServiceCalls.Example("example-peroneal-transaction.json")
            .Replace("MRN-54539514", Mrn, StringComparison.Ordinal)
            .Replace("peroneal-transaction-obs-", ResultIdentifier, StringComparison.Ordinal)
            .Replace("1980-05-17", BirthDate, StringComparison.Ordinal);
        var node = JsonNode.Parse(text)!;
        foreach (var entry in node["entry"]!.AsArray())
        {
            var resource = entry!["resource"]!.AsObject();
            if (resource["resourceType"]!.GetValue<string>() == "Patient")
            {
                resource["name"] = new JsonArray(new JsonObject { ["family"] = Family, ["given"] = new JsonArray(Given) });
            }
            else if (!resource.ContainsKey("note"))
            {
                resource["note"] = new JsonArray(new JsonObject { ["text"] = "Seen by " + Note });
            }
        }

        return node.ToJsonString();
    }

    public static string PatientJson =>
        $$"""{"resourceType":"Patient","identifier":[{"system":"https://ehr.example.org/sid/mrn","value":"{{Mrn}}"}],"name":[{"family":"{{Family}}","given":["{{Given}}"]}],"birthDate":"{{BirthDate}}"}""";

    public static void AssertAbsent(string surface, string text)
    {
        foreach (var value in Values)
        {
            Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"{surface} shows the planted value {value}");
        }
    }
}
