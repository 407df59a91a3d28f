using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>What the running service produces for the shared examples conforms to the FhirMmn profiles and to R4, for both independent validators.</summary>
public sealed class ProfileConformanceTests : IDisposable
{
    private readonly ServiceFactory service = new();
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-conformance-").FullName;

    public void Dispose()
    {
        service.Dispose();
        Directory.Delete(scratch, recursive: true);
    }

    [Fact]
    public async Task Reports_plans_and_provenance_served_for_the_shared_examples_conform_to_the_profiles()
    {
        var client = service.CreateClient();
        var files = new List<string>();
        foreach (var (example, patient) in new[]
        {
            ("example-definite-ulnar-forearm.json", "pat-example-definite-ulnar-forearm"),
            ("example-insufficient-no-area.json", "pat-example-insufficient-no-area"),
            ("example-not-met-umn-signs.json", "pat-example-not-met-umn-signs"),
        })
        {
            await client.SettledAsync(await client.PostAsync(ServiceCalls.Example(example)));
            foreach (var (type, search) in new[] { ("DiagnosticReport", "subject"), ("CarePlan", "subject"), ("Provenance", "patient") })
            {
                var found = await client.GetJsonAsync($"/fhir/{type}?{search}=Patient/{patient}");
                var resource = found.GetProperty("entry")[0].GetProperty("resource").GetRawText();
                var validation = IndependentValidators.Validate(resource);
                Assert.True(validation.Valid, $"{type} for {example}:\n{validation}");
                var file = Path.Combine(scratch, $"{patient}.{type}.json");
                await File.WriteAllTextAsync(file, resource);
                files.Add(file);
            }
        }

        var run = NodeTools.RunNode("profiles/scripts/validate-profile.mjs", [.. files]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }
}
