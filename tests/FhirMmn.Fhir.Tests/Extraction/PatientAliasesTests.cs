using System.Text.Json.Nodes;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Tests.Extraction;

/// <summary>The names a bundle gives its patient (docs/patients.md): the key first, then each other name once.</summary>
public sealed class PatientAliasesTests
{
    private const string Mrn = "https://ehr.example.org/sid/mrn";

    private static JsonObject WithIdentifiers()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(0)["identifier"] = new JsonArray(
            new JsonObject { ["system"] = "https://ehr.example.org/sid/insurance", ["value"] = "INS-77" },
            new JsonObject { ["system"] = Mrn, ["value"] = "MRN-1" },
            new JsonObject { ["value"] = "no-system" });
        return bundle;
    }

    [Fact]
    public void A_patient_entry_gives_its_id_and_every_identifier_with_system_and_value()
    {
        var patient = WithIdentifiers().Read().Bundle!.Patient;

        Assert.Equal("identifier|https://ehr.example.org/sid/insurance|INS-77", patient.Key);
        Assert.Equal(
            ["identifier|https://ehr.example.org/sid/insurance|INS-77", "Patient/pat-example-definite-ulnar-forearm", "identifier|https://ehr.example.org/sid/mrn|MRN-1"],
            patient.Aliases);
    }

    [Fact]
    public void With_a_patient_identifier_system_set_its_identifier_is_the_key_and_the_others_stay_aliases()
    {
        var patient = WithIdentifiers().Read(new FeedReaderOptions { PatientIdentifierSystem = Mrn }).Bundle!.Patient;

        Assert.Equal("identifier|https://ehr.example.org/sid/mrn|MRN-1", patient.Key);
        Assert.Equal(3, patient.Aliases.Count);
        Assert.Equal(patient.Key, patient.Aliases[0]);
        Assert.Contains("Patient/pat-example-definite-ulnar-forearm", patient.Aliases);
    }

    [Fact]
    public void A_patient_without_identifiers_is_named_by_its_id_alone()
    {
        var patient = Feeds.Load(Feeds.Definite).Read().Bundle!.Patient;

        Assert.Equal(["Patient/pat-example-definite-ulnar-forearm"], patient.Aliases);
    }

    [Fact]
    public void A_subject_by_identifier_without_a_patient_entry_is_named_by_that_identifier()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        var entries = bundle["entry"]!.AsArray();
        entries.RemoveAt(0);
        foreach (var entry in entries)
        {
            entry!["resource"]!["subject"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = Mrn, ["value"] = "MRN-1" } };
        }

        var patient = bundle.Read().Bundle!.Patient;

        Assert.Equal(["identifier|https://ehr.example.org/sid/mrn|MRN-1"], patient.Aliases);
        Assert.Equal(("https://ehr.example.org/sid/mrn", "MRN-1"), PatientAliases.IdentifierOf(patient.Key));
        Assert.Null(PatientAliases.IdentifierOf("Patient/pat-1"));
    }
}
