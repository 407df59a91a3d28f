using System.Text.Json.Nodes;

namespace FhirMmn.Service.Tests;

/// <summary>No patient data in logs: not identifiers, names, dates of birth, values, nor message bodies.</summary>
public sealed class LogPrivacyTests : IDisposable
{
    private readonly ServiceFactory service = new();

    public void Dispose() => service.Dispose();

    [Fact]
    public async Task A_whole_flow_of_accepted_refused_and_dead_lettered_bundles_logs_no_patient_data()
    {
        var client = service.CreateClient();
        var bundle = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        var patient = bundle["entry"]![0]!["resource"]!.AsObject();
        patient["identifier"] = new JsonArray(new JsonObject { ["system"] = "https://ehr.example.org/sid/mrn", ["value"] = "MRN-7781234" });
        patient["name"] = new JsonArray(new JsonObject { ["family"] = "Zwartkruis", ["given"] = new JsonArray("Hendrika") });
        // Values distinctive enough that no elapsed time or count can match them by chance.
        bundle["entry"]![1]!["resource"]!["valueQuantity"]!["value"] = 10.2417m;
        bundle["entry"]![1]!["resource"]!["component"]![2]!["valueQuantity"]!["value"] = 26.0391m;
        var secrets = new[] { "MRN-7781234", "Zwartkruis", "Hendrika", "1971-03-02", "pat-example-definite-ulnar-forearm", "example-definite-ulnar-forearm-obs", "10.2417", "26.0391", "2026-10-14" };

        await client.SettledAsync(await client.PostAsync(bundle.ToJsonString()));
        bundle["entry"]![4]!["resource"]!["subject"]!["reference"] = "Patient/Zwartkruis-Hendrika";
        using var refused = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(bundle.ToJsonString()));
        await client.GetAsync(new Uri("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm", UriKind.Relative));

        Assert.NotEmpty(service.Logs.Events);
        Assert.Contains(service.Logs.Events, e => e.Contains("category definite", StringComparison.Ordinal));
        foreach (var line in service.Logs.Events)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"'{secret}' logged: {line}");
            }
        }
    }
}
