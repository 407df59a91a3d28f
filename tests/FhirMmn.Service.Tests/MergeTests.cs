using System.Text.Json;
using System.Text.Json.Nodes;

namespace FhirMmn.Service.Tests;

/// <summary>Results of one patient that arrive days apart, redeliveries, withdrawals: one report, new versions.</summary>
public sealed class MergeTests : IDisposable
{
    private const string Patient = "pat-example-definite-ulnar-forearm";
    private readonly ServiceFactory service = new();

    public void Dispose() => service.Dispose();

    private static string Part(Func<int, bool> keep)
    {
        var bundle = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        var entries = bundle["entry"]!.AsArray();
        for (var i = entries.Count - 1; i >= 1; i--)
        {
            if (!keep(i))
            {
                entries.RemoveAt(i);
            }
        }

        return bundle.ToJsonString();
    }

    private static async Task<JsonElement> ReportAsync(HttpClient client)
    {
        var reports = await client.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{Patient}");
        Assert.Equal(1, reports.GetProperty("total").GetInt32());
        return reports.GetProperty("entry")[0].GetProperty("resource");
    }

    [Fact]
    public async Task Conduction_studies_first_and_clinical_findings_later_update_one_report_to_a_new_version()
    {
        var client = service.CreateClient();

        await client.SettledAsync(await client.PostAsync(Part(i => i <= 9)));
        var first = await ReportAsync(client);
        await client.SettledAsync(await client.PostAsync(Part(i => i >= 10)));
        var second = await ReportAsync(client);

        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal("1", first.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal("2", second.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal("clinical-criteria-assumed", first.GetProperty("conclusionCode")[1].GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal("clinical-criteria-provided", second.GetProperty("conclusionCode")[1].GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal(15, second.GetProperty("result").GetArrayLength());
        Assert.Equal(2, (await client.GetJsonAsync($"/fhir/Provenance?patient=Patient/{Patient}")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_same_bundle_delivered_twice_writes_one_report_once()
    {
        var client = service.CreateClient();
        var bundle = ServiceCalls.Example("example-definite-ulnar-forearm.json");

        await client.SettledAsync(await client.PostAsync(bundle));
        var again = await client.SettledAsync(await client.PostAsync(bundle));

        Assert.Equal("completed", again.GetProperty("state").GetString());
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
        Assert.Equal("1", (await ReportAsync(client)).GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal(1, (await client.GetJsonAsync($"/fhir/CarePlan?subject=Patient/{Patient}")).GetProperty("total").GetInt32());
        Assert.Equal(1, (await client.GetJsonAsync($"/fhir/Provenance?patient=Patient/{Patient}")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_result_entered_in_error_withdraws_it_and_the_patient_is_reassessed()
    {
        var client = service.CreateClient();
        await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));
        var withdrawal = JsonNode.Parse(Part(i => i == 7))!;
        withdrawal["entry"]![1]!["resource"]!["status"] = "entered-in-error";

        await client.SettledAsync(await client.PostAsync(withdrawal.ToJsonString()));
        var report = await ReportAsync(client);

        Assert.Equal("insufficient-data", ServiceCalls.Category(report));
        Assert.Equal("2", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal(14, report.GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task New_motor_studies_long_after_the_last_assessment_open_a_new_episode_with_its_own_report()
    {
        var client = service.CreateClient();
        await client.SettledAsync(await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));
        var later = JsonNode.Parse(ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        foreach (var entry in later["entry"]!.AsArray().Skip(1))
        {
            var resource = entry!["resource"]!;
            resource["id"] = resource["id"]!.GetValue<string>() + "-2027";
            resource["effectiveDateTime"] = "2027-09-01";
            entry["fullUrl"] = "https://ehr.example.org/fhir/Observation/" + resource["id"]!.GetValue<string>();
        }

        await client.SettledAsync(await client.PostAsync(later.ToJsonString()));
        var reports = await client.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{Patient}");

        Assert.Equal(2, reports.GetProperty("total").GetInt32());
        var identifiers = reports.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("identifier")[0].GetProperty("value").GetString()).ToHashSet();
        Assert.Equal(2, identifiers.Count);
        Assert.All(reports.GetProperty("entry").EnumerateArray(), e => Assert.Equal(15, e.GetProperty("resource").GetProperty("result").GetArrayLength()));
    }

    [Fact]
    public async Task Bundles_of_one_patient_posted_at_once_give_one_report_with_all_results()
    {
        var client = service.CreateClient();

        var ids = await Task.WhenAll(Enumerable.Range(1, 15).Select(i => client.PostAsync(Part(j => j == i))));
        foreach (var id in ids)
        {
            await client.SettledAsync(id);
        }

        var report = await ReportAsync(client);
        Assert.Equal(15, report.GetProperty("result").GetArrayLength());
        Assert.Equal("definite", ServiceCalls.Category(report));
    }
}
