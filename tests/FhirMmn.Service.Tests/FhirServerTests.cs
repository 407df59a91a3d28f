using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Write-back to a real FHIR server process, with faults injected in front of it: every message is
/// eventually written exactly once, and what is written can be read back from the server.
/// </summary>
public sealed class FhirServerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-fhir-").FullName;
    private readonly FaultPlan faults = new();
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>A server seeded with the examples' patients and results (each under a suffix), and the service writing to it.</summary>
    private (FhirServerProcess Server, HttpClient Service, List<string> Bundles) Start(params (string Example, string Suffix)[] patients)
    {
        var rebased = patients.Select(p => FhirServerProcess.Rebase(p.Example, folder, p.Suffix)).ToList();
        var server = FhirServerProcess.Start([.. rebased.Select(r => r.SeedFile)]);
        started.Add(server);
        var service = new ServiceFactory(
            new()
            {
                ["FhirServer:BaseUrl"] = server.BaseUrl.ToString(),
                ["FhirServer:Timeout"] = "00:00:02",
                ["FhirServer:Attempts"] = "2",
                ["FhirMmn:RetryBaseDelay"] = "00:00:00.200",
                ["FhirMmn:RetryMaxDelay"] = "00:00:01",
            },
            services => services.AddHttpClient(ServiceRegistration.FhirServerClient).AddHttpMessageHandler(() => new FaultInjectingHandler(faults)));
        started.Add(service);
        return (server, service.CreateClient(), rebased.Select(r => r.Bundle(server.BaseUrl)).ToList());
    }

    private static async Task<JsonElement> OneReportAsync(FhirServerProcess server, string patient)
    {
        var reports = FhirServerProcess.Resources(await server.SearchAsync($"DiagnosticReport?subject=Patient/{patient}"));
        return Assert.Single(reports);
    }

    public static TheoryData<string, string, string> SharedExamples => new()
    {
        { "example-definite-ulnar-forearm.json", "pat-example-definite-ulnar-forearm", "definite" },
        { "example-insufficient-no-area.json", "pat-example-insufficient-no-area", "insufficient-data" },
        { "example-not-met-umn-signs.json", "pat-example-not-met-umn-signs", "criteria-not-met" },
    };

    [Theory]
    [MemberData(nameof(SharedExamples))]
    public async Task A_shared_example_is_written_to_the_hospital_server_and_read_back_from_it(string example, string patient, string category)
    {
        var (server, service, bundles) = Start((example, string.Empty));

        var status = await service.SettledAsync(await service.PostAsync(bundles[0]));

        Assert.Equal("completed", status.GetProperty("state").GetString());
        var report = await OneReportAsync(server, patient);
        Assert.Equal(category, ServiceCalls.Category(report));
        foreach (var result in report.GetProperty("result").EnumerateArray())
        {
            var reference = result.GetProperty("reference").GetString()!;
            Assert.StartsWith("Observation/", reference, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri(reference, UriKind.Relative))).StatusCode);
        }

        var plan = Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/{patient}")));
        Assert.Equal($"DiagnosticReport/{report.GetProperty("id").GetString()}", plan.GetProperty("supportingInfo")[0].GetProperty("reference").GetString());
        var provenance = Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"Provenance?target=DiagnosticReport/{report.GetProperty("id").GetString()}")));
        Assert.StartsWith("Device/", provenance.GetProperty("agent")[0].GetProperty("who").GetProperty("reference").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FaultPlan.Kind.Down)]
    [InlineData(FaultPlan.Kind.ServerError)]
    [InlineData(FaultPlan.Kind.Throttled)]
    [InlineData(FaultPlan.Kind.Slow)]
    [InlineData(FaultPlan.Kind.LostResponse)]
    public async Task Through_a_failing_server_every_message_is_eventually_written_exactly_once(FaultPlan.Kind fault)
    {
        var patients = new[] { "-a", "-b", "-c" };
        var (server, service, bundles) = Start([.. patients.Select(p => ("example-definite-ulnar-forearm.json", p))]);
        faults.Fail(fault, 8);

        var ids = new List<string>();
        foreach (var bundle in bundles)
        {
            ids.Add(await service.PostAsync(bundle));
        }

        var statuses = new List<JsonElement>();
        foreach (var id in ids)
        {
            statuses.Add(await service.SettledAsync(id, TimeSpan.FromSeconds(90)));
        }

        Assert.All(statuses, s => Assert.Equal("completed", s.GetProperty("state").GetString()));
        Assert.Contains(statuses, s => s.GetProperty("attempts").GetInt32() > 1);
        foreach (var suffix in patients)
        {
            var report = await OneReportAsync(server, "pat-example-definite-ulnar-forearm" + suffix);
            Assert.Equal("1", report.GetProperty("meta").GetProperty("versionId").GetString());
            Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/pat-example-definite-ulnar-forearm{suffix}")));
            Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"Provenance?target=DiagnosticReport/{report.GetProperty("id").GetString()}")));
        }

        Assert.Single(FhirServerProcess.Resources(await server.SearchAsync("Device")));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_leaves_one_report_one_version_one_provenance()
    {
        var (server, service, bundles) = Start(("example-definite-ulnar-forearm.json", string.Empty));

        await service.SettledAsync(await service.PostAsync(bundles[0]));
        var second = await service.SettledAsync(await service.PostAsync(bundles[0]));

        Assert.Equal(0, second.GetProperty("written").GetArrayLength());
        var report = await OneReportAsync(server, "pat-example-definite-ulnar-forearm");
        Assert.Equal("1", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"Provenance?target=DiagnosticReport/{report.GetProperty("id").GetString()}")));
    }

    [Fact]
    public async Task What_was_recorded_for_the_embedded_store_does_not_stop_the_write_to_a_fhir_server_configured_later()
    {
        var rebased = FhirServerProcess.Rebase("example-definite-ulnar-forearm.json", folder, string.Empty);
        var server = FhirServerProcess.Start(rebased.SeedFile);
        started.Add(server);
        var bundle = rebased.Bundle(server.BaseUrl);
        var data = Path.Combine(folder, "data");
        using (var embedded = new ServiceFactory(dataDirectory: data))
        {
            var client = embedded.CreateClient();
            var local = await client.SettledAsync(await client.PostAsync(bundle));
            Assert.Contains(local.GetProperty("written").EnumerateArray(), w => w.GetString()!.StartsWith("DiagnosticReport/", StringComparison.Ordinal));
        }

        Assert.Empty(FhirServerProcess.Resources(await server.SearchAsync("DiagnosticReport")));
        var service = new ServiceFactory(new() { ["FhirServer:BaseUrl"] = server.BaseUrl.ToString() }, dataDirectory: data);
        started.Add(service);
        var remote = service.CreateClient();

        var first = await remote.SettledAsync(await remote.PostAsync(bundle));
        var again = await remote.SettledAsync(await remote.PostAsync(bundle));

        Assert.Equal("completed", first.GetProperty("state").GetString());
        Assert.Contains(first.GetProperty("written").EnumerateArray(), w => w.GetString()!.StartsWith("DiagnosticReport/", StringComparison.Ordinal));
        var report = await OneReportAsync(server, "pat-example-definite-ulnar-forearm");
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal("1", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Single(FhirServerProcess.Resources(await server.SearchAsync("CarePlan?subject=Patient/pat-example-definite-ulnar-forearm")));
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
    }

    [Fact]
    public async Task A_message_dead_lettered_for_a_patient_the_server_did_not_know_is_written_once_resubmitted_after_the_patient_is_registered()
    {
        var (server, service, _) = Start();
        var id = await service.PostAsync(ServiceCalls.Example("example-peroneal-transaction.json"));
        var refused = await service.SettledAsync(id);
        Assert.Equal("dead-lettered", refused.GetProperty("state").GetString());
        var reason = refused.GetProperty("outcome").ToString();
        Assert.Contains("not-found", reason, StringComparison.Ordinal);
        Assert.Contains("a patient known only by identifier", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("MRN-54539514", reason, StringComparison.Ordinal);
        using var notYet = await service.PostAsync(new Uri("/messages/nope/resubmit", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);

        using var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(
            """{"resourceType":"Patient","identifier":[{"system":"https://ehr.example.org/sid/mrn","value":"MRN-54539514"}]}"""));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var patient = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var resubmitted = await service.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, resubmitted.StatusCode);
        Assert.Equal($"/messages/{id}", resubmitted.Content.Headers.ContentLocation?.ToString());
        var written = await service.SettledAsync(id);
        using var again = await service.PostAsync(new Uri($"/messages/{id}/resubmit", UriKind.Relative), null);

        Assert.Equal("completed", written.GetProperty("state").GetString());
        Assert.False(written.TryGetProperty("outcome", out var outcome) && outcome.ValueKind != JsonValueKind.Null, "the dead-letter reason is cleared");
        var report = await OneReportAsync(server, patient!);
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("OperationOutcome", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A server holding the example's Patient (with the MRN when <paramref name="mrnOnServer"/>, twice when <paramref name="twice"/>), and the service writing to it.</summary>
    private (FhirServerProcess Server, HttpClient Service, string Bundle) StartWithMrn(bool mrnOnServer, bool twice = false, string? patientIdentifierSystem = null)
    {
        var rebased = FhirServerProcess.Rebase("example-definite-ulnar-forearm.json", folder, string.Empty);
        var seed = JsonNode.Parse(File.ReadAllText(rebased.SeedFile))!;
        var entries = seed["entry"]!.AsArray();
        if (mrnOnServer)
        {
            entries[0]!["resource"]!["identifier"] = new JsonArray(new JsonObject { ["system"] = PatientAliasTests.MrnSystem, ["value"] = PatientAliasTests.Mrn });
        }

        if (twice)
        {
            var copy = entries[0]!.DeepClone();
            copy["resource"]!["id"] = PatientAliasTests.Patient + "-duplicate";
            entries.Add(copy);
        }

        File.WriteAllText(rebased.SeedFile, seed.ToJsonString());
        var server = FhirServerProcess.Start(rebased.SeedFile);
        started.Add(server);
        var settings = new Dictionary<string, string?> { ["FhirServer:BaseUrl"] = server.BaseUrl.ToString() };
        if (patientIdentifierSystem is not null)
        {
            settings["FhirMmn:PatientIdentifierSystem"] = patientIdentifierSystem;
        }

        var service = new ServiceFactory(settings);
        started.Add(service);
        return (server, service.CreateClient(), rebased.Bundle(server.BaseUrl));
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, PatientAliasTests.MrnSystem)]
    [InlineData(true, PatientAliasTests.MrnSystem)]
    public async Task A_patient_whose_bundles_name_them_differently_gets_one_report_on_the_server_in_either_order(bool mrnFirst, string? system)
    {
        var (server, service, bundle) = StartWithMrn(mrnOnServer: false, patientIdentifierSystem: system);
        var parts = new[] { PatientAliasTests.WithoutEntry7(bundle), PatientAliasTests.Entry7WithMrn(bundle) };
        if (mrnFirst)
        {
            Array.Reverse(parts);
        }

        foreach (var part in parts)
        {
            Assert.Equal("completed", (await service.SettledAsync(await service.PostAsync(part))).GetProperty("state").GetString());
        }

        var again = await service.SettledAsync(await service.PostAsync(parts[1]));

        var report = await OneReportAsync(server, PatientAliasTests.Patient);
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal(15, report.GetProperty("result").GetArrayLength());
        Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/{PatientAliasTests.Patient}")));
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
    }

    [Fact]
    public async Task A_patient_named_only_by_an_mrn_is_linked_through_the_servers_patient_of_that_mrn()
    {
        var (server, service, bundle) = StartWithMrn(mrnOnServer: true);

        await service.SettledAsync(await service.PostAsync(PatientAliasTests.WithoutEntry7(bundle)));
        var second = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7ByIdentifierOnly(bundle)));

        Assert.Equal("completed", second.GetProperty("state").GetString());
        var report = await OneReportAsync(server, PatientAliasTests.Patient);
        Assert.Equal("definite", ServiceCalls.Category(report));
        Assert.Equal("2", report.GetProperty("meta").GetProperty("versionId").GetString());
    }

    [Fact]
    public async Task Two_reports_on_the_server_for_one_person_become_one_kept_and_one_withdrawn_with_its_provenance()
    {
        var (server, service, bundle) = StartWithMrn(mrnOnServer: false);
        await service.SettledAsync(await service.PostAsync(PatientAliasTests.WithoutEntry7(bundle)));
        var mrnOnly = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7ByIdentifierOnly(bundle)));
        Assert.Equal("dead-lettered", mrnOnly.GetProperty("state").GetString());

        // The server did not know the MRN: register it on another Patient resource (a duplicate record), resubmit, link.
        using (var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(
            $$"""{"resourceType":"Patient","identifier":[{"system":"{{PatientAliasTests.MrnSystem}}","value":"{{PatientAliasTests.Mrn}}"}]}""")))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        using (var resubmitted = await service.PostAsync(new Uri($"/messages/{mrnOnly.GetProperty("id").GetString()}/resubmit", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, resubmitted.StatusCode);
        }

        Assert.Equal("completed", (await service.SettledAsync(mrnOnly.GetProperty("id").GetString()!)).GetProperty("state").GetString());
        Assert.Equal(2, FhirServerProcess.Resources(await server.SearchAsync("DiagnosticReport")).Count);

        var linking = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7WithMrn(bundle)));
        var redelivered = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7WithMrn(bundle)));

        Assert.Equal("completed", linking.GetProperty("state").GetString());
        var reports = FhirServerProcess.Resources(await server.SearchAsync("DiagnosticReport"));
        Assert.Equal(2, reports.Count);
        var kept = Assert.Single(reports, r => r.GetProperty("status").GetString() == "preliminary");
        var withdrawn = Assert.Single(reports, r => r.GetProperty("status").GetString() == "entered-in-error");
        Assert.Equal("definite", ServiceCalls.Category(kept));
        var provenance = Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"Provenance?target=DiagnosticReport/{withdrawn.GetProperty("id").GetString()}")),
            p => p.TryGetProperty("activity", out _));
        Assert.Equal("NULLIFY", provenance.GetProperty("activity").GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal(0, redelivered.GetProperty("written").GetArrayLength());
        Assert.Equal("2", withdrawn.GetProperty("meta").GetProperty("versionId").GetString());
    }

    [Fact]
    public async Task An_mrn_that_two_patients_on_the_server_carry_is_dead_lettered_as_multiple_matches_at_once()
    {
        var (_, service, bundle) = StartWithMrn(mrnOnServer: true, twice: true);

        var status = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7ByIdentifierOnly(bundle)), TimeSpan.FromSeconds(20));

        Assert.Equal("dead-lettered", status.GetProperty("state").GetString());
        Assert.Equal(1, status.GetProperty("attempts").GetInt32());
        var outcome = status.GetProperty("outcome").ToString();
        Assert.Contains("multiple-matches", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain(PatientAliasTests.Mrn, outcome, StringComparison.Ordinal);
    }

    private static string Part(string bundle, Func<int, bool> keep)
    {
        var node = JsonNode.Parse(bundle)!;
        var entries = node["entry"]!.AsArray();
        for (var i = entries.Count - 1; i >= 1; i--)
        {
            if (!keep(i))
            {
                entries.RemoveAt(i);
            }
        }

        return node.ToJsonString();
    }

    [Fact]
    public async Task New_evidence_updates_the_report_and_a_plan_a_clinician_changed_is_replaced_by_a_new_generation()
    {
        const string patient = "pat-example-definite-ulnar-forearm";
        var (server, service, bundles) = Start(("example-definite-ulnar-forearm.json", string.Empty));
        await service.SettledAsync(await service.PostAsync(Part(bundles[0], i => i <= 9)));
        var first = Assert.Single(FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/{patient}")));
        var edited = JsonNode.Parse(first.GetRawText())!;
        edited["status"] = "active";
        using (var put = await server.Client.PutAsync(new Uri($"CarePlan/{first.GetProperty("id").GetString()}", UriKind.Relative),
            new StringContent(edited.ToJsonString(), System.Text.Encoding.UTF8, "application/fhir+json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        await service.SettledAsync(await service.PostAsync(Part(bundles[0], i => i >= 10)));

        var report = await OneReportAsync(server, patient);
        Assert.Equal("2", report.GetProperty("meta").GetProperty("versionId").GetString());
        var plans = FhirServerProcess.Resources(await server.SearchAsync($"CarePlan?subject=Patient/{patient}"));
        Assert.Equal(2, plans.Count);
        var clinicians = plans.Single(p => p.GetProperty("id").GetString() == first.GetProperty("id").GetString());
        var next = plans.Single(p => p.GetProperty("id").GetString() != first.GetProperty("id").GetString());
        Assert.Equal("active", clinicians.GetProperty("status").GetString());
        Assert.Equal($"CarePlan/{first.GetProperty("id").GetString()}", next.GetProperty("replaces")[0].GetProperty("reference").GetString());
        Assert.EndsWith("-2", next.GetProperty("identifier")[0].GetProperty("value").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_changed_between_read_and_write_is_re_read_and_written_on_top()
    {
        const string patient = "pat-example-definite-ulnar-forearm";
        var (server, service, bundles) = Start(("example-definite-ulnar-forearm.json", string.Empty));
        await service.SettledAsync(await service.PostAsync(Part(bundles[0], i => i <= 9)));
        faults.BeforeNextTransaction = async () =>
        {
            var current = JsonNode.Parse((await OneReportAsync(server, patient)).GetRawText())!;
            current["conclusion"] = "Edited elsewhere.";
            using var put = await server.Client.PutAsync(new Uri($"DiagnosticReport/{current["id"]}", UriKind.Relative),
                new StringContent(current.ToJsonString(), System.Text.Encoding.UTF8, "application/fhir+json"));
            Assert.True(put.IsSuccessStatusCode);
        };

        var status = await service.SettledAsync(await service.PostAsync(Part(bundles[0], i => i >= 10)));

        Assert.Equal("completed", status.GetProperty("state").GetString());
        var report = await OneReportAsync(server, patient);
        Assert.Equal("3", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal("clinical-criteria-provided", report.GetProperty("conclusionCode")[1].GetProperty("coding")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_service_stays_ready_while_its_fhir_server_is_down_and_reports_the_server_apart()
    {
        var (server, service, bundles) = Start(("example-definite-ulnar-forearm.json", string.Empty));
        Assert.Equal(HttpStatusCode.OK, (await HealthTests.HealthAsync(service, "/health/fhir-server")).Status);

        server.Dispose();
        var (readyStatus, ready) = await HealthTests.HealthAsync(service, "/health/ready");
        var (serverStatus, fhirServer) = await HealthTests.HealthAsync(service, "/health/fhir-server");

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.DoesNotContain("fhir-server", HealthTests.Checks(ready).Keys);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, serverStatus);
        Assert.Equal("Unhealthy", HealthTests.Checks(fhirServer)["fhir-server"]);
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        await service.PostAsync(bundles[0]);
    }
}
