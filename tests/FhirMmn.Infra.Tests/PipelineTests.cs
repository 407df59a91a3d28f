using System.Diagnostics;
using System.Text.RegularExpressions;
using FhirMmn.Testing;

namespace FhirMmn.Infra.Tests;

/// <summary>
/// azure-pipelines.yml cannot run here (no Azure DevOps, no Azure): these check what can be checked from the
/// files, that its first stage is CI, and that the deployment gets from the pipeline what the parameters file
/// reads, and its guard script refuses what would otherwise reach the vault.
/// </summary>
public sealed partial class PipelineTests
{
    private static readonly string Pipeline = File.ReadAllText(Repository.PathOf("azure-pipelines.yml"));

    [Fact]
    public void The_first_stage_runs_what_ci_runs()
    {
        var stages = StageBlocks();
        Assert.Equal(["Build", "Image", "WhatIf", "Deploy"], stages.Select(stage => stage.Name));

        var build = stages[0].Text;
        Assert.Contains("- script: bash .ci/run", build, StringComparison.Ordinal);
        Assert.Contains("useGlobalJson: true", build, StringComparison.Ordinal);
        Assert.DoesNotContain("condition:", build, StringComparison.Ordinal);
        Assert.Contains("dotnet test FhirMmn.sln", File.ReadAllText(Repository.PathOf(".ci", "run")), StringComparison.Ordinal);
    }

    [Fact]
    public void Images_and_deployments_come_only_from_main_after_the_tests()
    {
        var image = StageBlocks().Single(stage => stage.Name == "Image").Text;

        Assert.Contains("dependsOn: Build", image, StringComparison.Ordinal);
        Assert.Contains("eq(variables['Build.SourceBranch'], 'refs/heads/main')", image, StringComparison.Ordinal);
        Assert.Contains("ne(variables['Build.Reason'], 'PullRequest')", image, StringComparison.Ordinal);
        Assert.Contains(":$(Build.BuildId)", image, StringComparison.Ordinal);
    }

    [Fact]
    public void What_if_runs_before_the_approved_deployment_with_the_parameters_file()
    {
        var stages = StageBlocks();
        var whatIf = stages.Single(stage => stage.Name == "WhatIf").Text;
        var deploy = stages.Single(stage => stage.Name == "Deploy").Text;

        Assert.Contains("az deployment group what-if", whatIf, StringComparison.Ordinal);
        Assert.Contains("- WhatIf", deploy, StringComparison.Ordinal);
        Assert.Contains("az deployment group create", deploy, StringComparison.Ordinal);
        Assert.Matches(@"- deployment: \w+\s+displayName: [^\n]+\s+environment: \S+", deploy);
        foreach (var stage in new[] { whatIf, deploy })
        {
            Assert.Contains("--parameters infra/main.bicepparam", stage, StringComparison.Ordinal);
            Assert.Contains("infra/check-deploy-env.sh", stage, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Repository.PathOf("infra", "main.bicepparam")));
    }

    [Fact]
    public void Every_value_the_parameters_file_reads_from_the_environment_is_handed_over_by_both_deployment_stages()
    {
        var read = ReadsEnvironment().Matches(File.ReadAllText(Repository.PathOf("infra", "main.bicepparam")))
            .Select(match => match.Groups[1].Value).ToHashSet();
        Assert.Equal(new HashSet<string> { "FHIRMMN_IMAGE", "FHIRMMN_FHIR_CLIENT_SECRET" }, read);

        var guard = File.ReadAllText(Repository.PathOf("infra", "check-deploy-env.sh"));
        foreach (var stage in StageBlocks().Where(stage => stage.Name is "WhatIf" or "Deploy"))
        {
            Assert.All(read, name => Assert.Matches(new Regex($@"\n\s+{name}: \$\(\w+\)"), stage.Text));
            Assert.All(read, name => Assert.Contains(name, guard, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("registry.azurecr.io/fhirmmn:12", "", 0)]
    [InlineData("registry.azurecr.io/fhirmmn:12", "a-client-secret", 0)]
    [InlineData("registry.azurecr.io/fhirmmn:12", "$(FhirClientSecret)", 1)]
    [InlineData("", "a-client-secret", 1)]
    [InlineData("$(image)", "a-client-secret", 1)]
    [InlineData("registry.azurecr.io/fhirmmn:12", null, 1)]
    public async Task The_guard_refuses_a_deployment_whose_pipeline_values_did_not_come_through(string image, string? secret, int exit)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("infra/check-deploy-env.sh");
        info.Environment["FHIRMMN_IMAGE"] = image;
        if (secret is null)
        {
            info.Environment.Remove("FHIRMMN_FHIR_CLIENT_SECRET");
        }
        else
        {
            info.Environment["FHIRMMN_FHIR_CLIENT_SECRET"] = secret;
        }

        using var process = Process.Start(info)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        await process.WaitForExitAsync(limit.Token);

        Assert.Equal(exit, process.ExitCode);
        Assert.DoesNotContain("a-client-secret", await output + await error, StringComparison.Ordinal);
    }

    /// <summary>The stages of the pipeline by name, each with its text up to the next stage.</summary>
    private static List<(string Name, string Text)> StageBlocks()
    {
        var starts = StageStart().Matches(Pipeline).ToList();
        return starts.Select((match, index) => (match.Groups[1].Value,
            Pipeline[match.Index..(index + 1 < starts.Count ? starts[index + 1].Index : Pipeline.Length)])).ToList();
    }

    [GeneratedRegex(@"^  - stage: (\w+)", RegexOptions.Multiline)]
    private static partial Regex StageStart();

    [GeneratedRegex(@"readEnvironmentVariable\('(\w+)'")]
    private static partial Regex ReadsEnvironment();
}
