using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// One patient, one report (docs/patients.md): the names a patient is given (subject reference, Patient id and fullUrl,
/// identifiers) that appear together link what the service knows under each; two reports written before the link was
/// known become one kept and brought up to date, and one withdrawn.
/// </summary>
public sealed class PatientAliasTests : IDisposable
{
    public const string Patient = "pat-example-definite-ulnar-forearm";
    public const string MrnSystem = "https://ehr.example.org/sid/mrn";
    public const string Mrn = "MRN-20260417";

    private readonly List<IDisposable> started = [];
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-alias-").FullName;

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }

        Directory.Delete(scratch, recursive: true);
    }

    private HttpClient Service(string? patientIdentifierSystem)
    {
        var service = new ServiceFactory(patientIdentifierSystem is null ? null : new() { ["FhirMmn:PatientIdentifierSystem"] = patientIdentifierSystem });
        started.Add(service);
        return service.CreateClient();
    }

    /// <summary>The issue's first bundle: the example without entry 7 (the ulnar SNAP); its Patient has no identifier.</summary>
    public static string WithoutEntry7(string? example = null) => Entries(example, i => i != 7, mrn: false);

    /// <summary>The issue's second bundle: the Patient, now carrying an MRN (and another identifier first), and entry 7.</summary>
    public static string Entry7WithMrn(string? example = null) => Entries(example, i => i is 0 or 7, mrn: true);

    /// <summary>Entry 7 alone, its subject the MRN only (no Patient entry): a record of its own until something links it.</summary>
    public static string Entry7ByIdentifierOnly(string? example = null)
    {
        var node = JsonNode.Parse(Entries(example, i => i == 7, mrn: false))!;
        node["entry"]![0]!["resource"]!["subject"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = MrnSystem, ["value"] = Mrn } };
        return node.ToJsonString();
    }

    private static string Entries(string? example, Func<int, bool> keep, bool mrn)
    {
        var node = JsonNode.Parse(example ?? ServiceCalls.Example("example-definite-ulnar-forearm.json"))!;
        var entries = node["entry"]!.AsArray();
        if (mrn)
        {
            entries[0]!["resource"]!["identifier"] = new JsonArray(
                new JsonObject { ["system"] = "https://ehr.example.org/sid/insurance", ["value"] = "INS-77" },
                new JsonObject { ["system"] = MrnSystem, ["value"] = Mrn });
        }

        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!keep(i))
            {
                entries.RemoveAt(i);
            }
        }

        return node.ToJsonString();
    }

    private static async Task<IReadOnlyList<JsonElement>> ReportsAsync(HttpClient client)
    {
        var found = await client.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{Patient}");
        return found.TryGetProperty("entry", out var entries) ? entries.EnumerateArray().Select(e => e.GetProperty("resource").Clone()).ToList() : [];
    }

    public static TheoryData<string?> IdentifierSystems => new() { null, MrnSystem };

    [Theory]
    [MemberData(nameof(IdentifierSystems))]
    public async Task A_patient_known_first_by_id_then_with_an_mrn_gets_one_report_from_the_union_of_the_evidence(string? system)
    {
        var client = Service(system);

        var first = await client.SettledAsync(await client.PostAsync(WithoutEntry7()));
        var second = await client.SettledAsync(await client.PostAsync(Entry7WithMrn()));

        Assert.Equal("completed", first.GetProperty("state").GetString());
        Assert.Equal("completed", second.GetProperty("state").GetString());
        var report = Assert.Single(await ReportsAsync(client));
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal("2", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal(15, report.GetProperty("result").GetArrayLength());
        Assert.Single(FhirServerProcess.Resources(await client.GetJsonAsync($"/fhir/CarePlan?subject=Patient/{Patient}")));
    }

    [Theory]
    [MemberData(nameof(IdentifierSystems))]
    public async Task A_patient_known_first_with_an_mrn_then_by_id_gets_one_report(string? system)
    {
        var client = Service(system);

        await client.SettledAsync(await client.PostAsync(Entry7WithMrn()));
        await client.SettledAsync(await client.PostAsync(WithoutEntry7()));

        var report = Assert.Single(await ReportsAsync(client));
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal(15, report.GetProperty("result").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(IdentifierSystems))]
    public async Task Two_reports_written_before_the_link_was_known_become_one_kept_up_to_date_and_one_withdrawn(string? system)
    {
        var client = Service(system);
        await client.SettledAsync(await client.PostAsync(WithoutEntry7()));
        var byIdentifier = await client.SettledAsync(await client.PostAsync(Entry7ByIdentifierOnly()));
        var withdrawnReference = byIdentifier.GetProperty("written").EnumerateArray().Select(w => w.GetString()!).Single(w => w.StartsWith("DiagnosticReport/", StringComparison.Ordinal));
        Assert.Single(await ReportsAsync(client));

        var linking = await client.SettledAsync(await client.PostAsync(Entry7WithMrn()));
        var redelivered = await client.SettledAsync(await client.PostAsync(Entry7WithMrn()));

        Assert.Equal("completed", linking.GetProperty("state").GetString());
        var reports = await ReportsAsync(client);
        Assert.Equal(2, reports.Count);
        var kept = reports.Single(r => r.GetProperty("status").GetString() == "preliminary");
        var withdrawn = reports.Single(r => r.GetProperty("status").GetString() == "entered-in-error");
        Assert.Equal("definite", ServiceCalls.Category(kept));
        Assert.Equal(15, kept.GetProperty("result").GetArrayLength());
        Assert.StartsWith(withdrawnReference.Split("/_history")[0], $"DiagnosticReport/{withdrawn.GetProperty("id").GetString()}", StringComparison.Ordinal);
        Assert.Contains(kept.GetProperty("identifier")[0].GetProperty("value").GetString()!, withdrawn.GetProperty("conclusion").GetString(), StringComparison.Ordinal);
        var plans = FhirServerProcess.Resources(await client.GetJsonAsync($"/fhir/CarePlan?subject=Patient/{Patient}"));
        Assert.Equal(["draft", "entered-in-error"], plans.Select(p => p.GetProperty("status").GetString()!).Order().ToArray());
        var provenances = FhirServerProcess.Resources(await client.GetJsonAsync($"/fhir/Provenance?patient=Patient/{Patient}"));
        var why = Assert.Single(provenances, p => p.TryGetProperty("activity", out _));
        Assert.Equal("NULLIFY", why.GetProperty("activity").GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal("RECORDMGT", why.GetProperty("reason")[0].GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal(0, redelivered.GetProperty("written").GetArrayLength());
        Assert.Equal(2, (await ReportsAsync(client)).Count);

        await AssertConformAsync(withdrawn, plans.Single(p => p.GetProperty("status").GetString() == "entered-in-error"), why, kept);
    }

    /// <summary>Each resource valid R4 (Medplum's validator) and valid against its FhirMmn profile.</summary>
    internal async Task AssertConformAsync(params JsonElement[] resources)
    {
        var files = new List<string>();
        foreach (var resource in resources)
        {
            var json = resource.GetRawText();
            var r4 = R4Validator.Shared.Validate(json);
            Assert.True(r4.Valid, $"{resource.GetProperty("resourceType").GetString()}: {r4}");
            var file = Path.Combine(scratch, $"{files.Count}.json");
            await File.WriteAllTextAsync(file, json);
            files.Add(file);
        }

        var run = NodeTools.RunNode("profiles/scripts/validate-profile.mjs", [.. files]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }
}
