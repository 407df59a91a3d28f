using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Testing;
using Hl7.Fhir.Model;
using FhirJson = FhirMmn.Fhir.Model.FhirJson;

namespace FhirMmn.Profiles.Tests;

/// <summary>
/// The implementation guide in profiles/ (issue 4): it builds offline into exactly what is committed, its
/// examples pass and its broken instances fail, and what FhirMmn writes back conforms to it.
/// </summary>
public sealed class ProfileTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-profiles-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static void AssertSucceeds((int ExitCode, string Output, string Error) run) =>
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");

    [Fact]
    public void The_profiles_build_offline_into_exactly_what_is_committed()
    {
        AssertSucceeds(NodeTools.RunNode("profiles/scripts/build.mjs", "--check"));
    }

    [Fact]
    public void Every_example_conforms_and_every_broken_instance_is_rejected()
    {
        AssertSucceeds(NodeTools.RunNode("profiles/scripts/check-examples.mjs"));
    }

    [Fact]
    public void Every_example_feed_conforms_to_the_feed_profiles()
    {
        var files = Directory.GetFiles(Repository.PathOf("examples"), "*.json").Order(StringComparer.Ordinal).ToArray();

        AssertSucceeds(NodeTools.RunNode("profiles/scripts/validate-profile.mjs", files));
    }

    [Fact]
    public void What_the_service_writes_back_for_every_example_conforms_to_the_fhirmmn_profiles()
    {
        var files = new List<string>();
        foreach (var example in Directory.GetFiles(Repository.PathOf("examples"), "*.json").Order(StringComparer.Ordinal))
        {
            var read = FeedReader.Read(File.ReadAllBytes(example));
            Assert.True(read.Accepted, example);
            var writeBack = Assessor.AssessOffline(read.Bundle!, "default", null).WriteBack;
            foreach (var resource in new Resource[] { writeBack.Report, writeBack.CarePlan, writeBack.Provenance, writeBack.Device })
            {
                var file = Path.Combine(scratch, $"{Path.GetFileNameWithoutExtension(example)}.{resource.TypeName}.json");
                File.WriteAllText(file, FhirJson.Serialize(resource));
                files.Add(file);
            }
        }

        AssertSucceeds(NodeTools.RunNode("profiles/scripts/validate-profile.mjs", [.. files]));
    }

    [Fact]
    public void A_write_back_broken_on_purpose_fails_its_profile()
    {
        var read = FeedReader.Read(File.ReadAllBytes(Repository.PathOf("examples", "example-definite-ulnar-forearm.json")));
        var plan = Assessor.AssessOffline(read.Bundle!, "default", null).WriteBack.CarePlan;
        plan.InstantiatesCanonicalElement = [];
        var file = Path.Combine(scratch, "careplan-without-plandefinition.json");
        File.WriteAllText(file, FhirJson.Serialize(plan));

        var run = NodeTools.RunNode("profiles/scripts/validate-profile.mjs", "--profile", "mmn-careplan", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("instantiatesCanonical", run.Output, StringComparison.Ordinal);
    }
}
