using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FhirMmn.Testing;

namespace FhirMmn.Infra.Tests;

/// <summary>infra/main.bicep compiled once by the pinned Bicep CLI, for the tests that read what it deploys.</summary>
public sealed class CompiledTemplate : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("fhirmmn-bicep-").FullName;

    public CompiledTemplate()
    {
        var output = Path.Combine(scratch, "main.json");
        Run = BicepCli.Run("build", "infra/main.bicep", "--outfile", output);
        Template = File.Exists(output) ? JsonNode.Parse(File.ReadAllText(output))!.AsObject() : null;
    }

    internal BicepRun Run { get; }

    internal JsonObject? Template { get; }

    internal JsonObject Compiled => Template ?? throw new InvalidOperationException("main.bicep did not build: " + Run.Describe());

    internal IEnumerable<JsonObject> Resources(string type) =>
        Compiled["resources"]!.AsArray().Select(resource => resource!.AsObject()).Where(resource => (string?)resource["type"] == type);

    internal JsonObject Resource(string type) => Resources(type).Single();

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}

public sealed class BicepTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string ServiceBusDataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
    private const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string ServiceBusDataOwner = "090c5cfd-751d-490a-894a-3ce6f1109419";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

    /// <summary>The variables the parameters file reads from the pipeline's environment.</summary>
    private static readonly Dictionary<string, string?> NoPipelineValues = new()
    {
        ["FHIRMMN_IMAGE"] = null,
        ["FHIRMMN_FHIR_CLIENT_SECRET"] = null,
    };

    public static TheoryData<string> BicepFiles() => new(
        Directory.EnumerateFiles(Repository.PathOf("infra"), "*.bicep*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".bicep", StringComparison.Ordinal) || file.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));

    [Fact]
    public void Main_template_builds_without_an_error_or_a_warning()
    {
        Assert.True(compiled.Run.ExitCode == 0 && compiled.Run.Diagnostics.Count == 0, compiled.Run.Describe());
        Assert.NotNull(compiled.Template);
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_bicep_file_lints_without_an_error_or_a_warning(string file)
    {
        var run = BicepCli.Run(NoPipelineValues, "lint", file);

        Assert.True(run.ExitCode == 0 && run.Diagnostics.Count == 0, run.Describe());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_bicep_file_is_as_bicep_format_writes_it(string file)
    {
        var run = BicepCli.Run("format", file, "--stdout");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(File.ReadAllText(Repository.PathOf(file)).ReplaceLineEndings("\n"), run.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_lint_check_reports_the_warnings_of_the_repository_configuration()
    {
        // The same bicepconfig.json beside a template that breaks three of its rules: the check above can fail.
        var folder = Directory.CreateTempSubdirectory("fhirmmn-bicep-lint-").FullName;
        try
        {
            File.Copy(Repository.PathOf("infra", "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            var file = Path.Combine(folder, "careless.bicep");
            File.WriteAllText(file, """
                param unused string
                resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2018-11-30' = {
                  name: 'careless'
                  location: 'westeurope'
                }
                """);

            var run = BicepCli.Run("lint", file);

            var rules = run.Diagnostics.Select(diagnostic => diagnostic.RuleId).ToHashSet();
            Assert.Superset(new HashSet<string> { "no-unused-params", "use-recent-api-versions", "no-hardcoded-location" }, rules);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_build_check_reports_an_error_with_a_failing_exit_code()
    {
        var folder = Directory.CreateTempSubdirectory("fhirmmn-bicep-error-").FullName;
        try
        {
            var file = Path.Combine(folder, "broken.bicep");
            File.WriteAllText(file, """
                resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
                  name: 42
                }
                """);

            var run = BicepCli.Run("build", file, "--outfile", Path.Combine(folder, "broken.json"));

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(run.Diagnostics, diagnostic => diagnostic.Level == "error");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Parameters_file_builds_with_its_placeholders_and_holds_no_secret()
    {
        var run = BicepCli.Run(NoPipelineValues, "build-params", "infra/main.bicepparam", "--stdout");

        Assert.True(run.ExitCode == 0 && run.Diagnostics.Count == 0, run.Describe());
        var parameters = Parameters(run);
        Assert.Equal(string.Empty, (string?)parameters["fhirClientSecret"]!["value"]);
        Assert.Contains("REPLACE", (string?)parameters["containerImage"]!["value"], StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_file_takes_the_image_and_the_client_secret_from_the_pipeline_environment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["FHIRMMN_IMAGE"] = "hospitalregistry.azurecr.io/fhirmmn:4711",
            ["FHIRMMN_FHIR_CLIENT_SECRET"] = "value-from-a-secret-variable",
        };

        var run = BicepCli.Run(environment, "build-params", "infra/main.bicepparam", "--stdout");

        Assert.True(run.ExitCode == 0 && run.Diagnostics.Count == 0, run.Describe());
        var parameters = Parameters(run);
        Assert.Equal("hospitalregistry.azurecr.io/fhirmmn:4711", (string?)parameters["containerImage"]!["value"]);
        Assert.Equal("value-from-a-secret-variable", (string?)parameters["fhirClientSecret"]!["value"]);
    }

    [Fact]
    public void Every_parameter_that_names_a_secret_is_secure()
    {
        var parameters = compiled.Compiled["parameters"]!.AsObject();
        var secretLike = parameters.Where(parameter => Regex.IsMatch(parameter.Key, "secret|password|token(?!endpoint)|key$", RegexOptions.IgnoreCase)).ToList();

        Assert.Contains(secretLike, parameter => parameter.Key == "fhirClientSecret");
        Assert.All(secretLike, parameter => Assert.Equal("securestring", (string?)parameter.Value!["type"]));
        Assert.Equal(string.Empty, (string?)parameters["fhirClientSecret"]!["defaultValue"]);
    }

    [Fact]
    public void One_worker_by_default_and_the_scale_rule_only_above_the_minimum()
    {
        var parameters = compiled.Compiled["parameters"]!.AsObject();
        Assert.Equal(1, (int?)parameters["minReplicas"]!["defaultValue"]);
        Assert.Equal(1, (int?)parameters["maxReplicas"]!["defaultValue"]);

        var scale = compiled.Resource("Microsoft.App/containerApps")["properties"]!["template"]!["scale"]!;
        Assert.Equal("[if(variables('scaling'), createArray(variables('queueLengthRule')), createArray())]", (string?)scale["rules"]);
        Assert.Equal("[greater(parameters('maxReplicas'), parameters('minReplicas'))]", (string?)compiled.Compiled["variables"]!["scaling"]);
        var rule = compiled.Compiled["variables"]!["queueLengthRule"]!["custom"]!;
        Assert.Equal("azure-servicebus", (string?)rule["type"]);
        Assert.Contains("-scaler-id", (string?)rule["identity"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_gets_receiver_and_sender_on_the_queue_and_secrets_user_on_the_vault_only()
    {
        var variables = compiled.Compiled["variables"]!.AsObject();
        var assignments = compiled.Resources("Microsoft.Authorization/roleAssignments")
            .Select(assignment => new
            {
                Role = RoleOf(assignment, variables),
                Scope = ScopeOf(assignment),
                Principal = (string?)assignment["properties"]!["principalId"] ?? string.Empty,
                Condition = (string?)assignment["condition"],
            })
            .ToList();

        var app = assignments.Where(assignment => assignment.Principal.Contains("-app-id", StringComparison.Ordinal))
            .Select(assignment => (assignment.Role, assignment.Scope)).Order().ToList();
        Assert.Equal([(KeyVaultSecretsUser, "vault"), (ServiceBusDataReceiver, "queue"), (ServiceBusDataSender, "queue")], app);

        var owner = Assert.Single(assignments, assignment => assignment.Role == ServiceBusDataOwner);
        Assert.Contains("-scaler-id", owner.Principal, StringComparison.Ordinal);
        Assert.Equal("queue", owner.Scope);
        Assert.Equal("[variables('scaling')]", owner.Condition);

        var publishers = Assert.Single(assignments, assignment => assignment.Principal.Contains("publisherPrincipalIds", StringComparison.Ordinal));
        Assert.Equal((ServiceBusDataSender, "queue"), (publishers.Role, publishers.Scope));
        Assert.Equal(5, assignments.Count);

        var pull = compiled.Resource("Microsoft.Resources/deployments")["properties"]!["template"]!.AsObject();
        var pullAssignment = pull["resources"]!.AsArray().Single()!.AsObject();
        Assert.Equal(AcrPull, RoleOf(pullAssignment, pull["variables"]!.AsObject()));
    }

    [Fact]
    public void The_scale_rule_identity_is_kept_from_the_container()
    {
        var settings = compiled.Resource("Microsoft.App/containerApps")["properties"]!["configuration"]!["identitySettings"]!.AsArray();

        Assert.Contains(settings, setting => ((string?)setting!["identity"])!.Contains("-scaler-id", StringComparison.Ordinal) && (string?)setting["lifecycle"] == "None");
        Assert.Contains(settings, setting => ((string?)setting!["identity"])!.Contains("-app-id", StringComparison.Ordinal) && (string?)setting["lifecycle"] == "Main");
    }

    [Fact]
    public void The_queue_dead_letters_expired_messages_drops_duplicates_and_takes_sessions_from_a_parameter()
    {
        var properties = (string?)compiled.Resource("Microsoft.ServiceBus/namespaces/queues")["properties"] ?? string.Empty;

        Assert.Contains("'deadLetteringOnMessageExpiration', true()", properties, StringComparison.Ordinal);
        Assert.Contains("'requiresDuplicateDetection', true()", properties, StringComparison.Ordinal);
        Assert.Contains("'duplicateDetectionHistoryTimeWindow', parameters('queueDuplicateDetectionWindow')", properties, StringComparison.Ordinal);
        Assert.Contains("'lockDuration', parameters('queueLockDuration')", properties, StringComparison.Ordinal);
        Assert.Contains("'maxDeliveryCount', parameters('queueMaxDeliveryCount')", properties, StringComparison.Ordinal);
        Assert.Contains("'requiresSession', parameters('queueRequiresSession')", properties, StringComparison.Ordinal);
        Assert.Equal("[parameters('serviceBusDisableLocalAuth')]", (string?)compiled.Resource("Microsoft.ServiceBus/namespaces")["properties"]!["disableLocalAuth"]);
        Assert.Equal(true, (bool?)compiled.Compiled["parameters"]!["serviceBusDisableLocalAuth"]!["defaultValue"]);
    }

    [Fact]
    public void The_vault_uses_rbac_and_keeps_deleted_secrets()
    {
        var vault = compiled.Resource("Microsoft.KeyVault/vaults")["properties"]!;

        Assert.Equal(true, (bool?)vault["enableRbacAuthorization"]);
        Assert.Equal(true, (bool?)vault["enableSoftDelete"]);
        Assert.Equal(true, (bool?)vault["enablePurgeProtection"]);
        Assert.Equal("[not(empty(parameters('fhirClientSecret')))]", (string?)compiled.Resource("Microsoft.KeyVault/vaults/secrets")["condition"]);
    }

    [Fact]
    public void Liveness_and_readiness_probe_the_service_health_endpoints()
    {
        var container = compiled.Resource("Microsoft.App/containerApps")["properties"]!["template"]!["containers"]!.AsArray().Single()!;
        var probes = container["probes"]!.AsArray().ToDictionary(probe => (string)probe!["type"]!, probe => probe!["httpGet"]!);

        Assert.Equal("/health/live", (string?)probes["Liveness"]["path"]);
        Assert.Equal("/health/ready", (string?)probes["Readiness"]["path"]);
        Assert.Equal("/health/live", (string?)probes["Startup"]["path"]);
        Assert.All(probes.Values, probe => Assert.Equal(8080, (int?)probe["port"]));
        Assert.Equal(8080, (int?)compiled.Resource("Microsoft.App/containerApps")["properties"]!["configuration"]!["ingress"]!["targetPort"]);
        Assert.Equal(false, (bool?)compiled.Resource("Microsoft.App/containerApps")["properties"]!["configuration"]!["ingress"]!["allowInsecure"]);
    }

    [Fact]
    public void The_app_environment_holds_the_service_keys_and_the_client_secret_only_by_reference()
    {
        var container = compiled.Resource("Microsoft.App/containerApps")["properties"]!["template"]!["containers"]!.AsArray().Single()!;
        var env = (string?)container["env"] ?? string.Empty;
        var names = Regex.Matches(env, @"createObject\('name', '([^']+)'").Select(match => match.Groups[1].Value).ToHashSet();

        Assert.Equal(
            new HashSet<string>
            {
                "Messaging__Transport", "Messaging__AzureServiceBus__FullyQualifiedNamespace", "Messaging__AzureServiceBus__QueueName",
                "Messaging__AzureServiceBus__RequiresSession", "AZURE_CLIENT_ID", "FhirMmn__Feed", "FhirMmn__DataDirectory",
                "FhirMmn__MaxBundleBytes", "Security__RequireToken", "Security__Authority", "Security__Audience", "Security__Issuer", "Security__FeedClaim",
                "FhirServer__Auth", "FhirServer__BaseUrl", "FhirServer__TokenEndpoint", "FhirServer__ClientId", "FhirServer__ClientSecret",
                "FhirServer__Scope", "OTEL_EXPORTER_OTLP_ENDPOINT",
            },
            names);
        Assert.Contains("createObject('name', 'Messaging__Transport', 'value', 'AzureServiceBus')", env, StringComparison.Ordinal);
        Assert.Contains("createObject('name', 'Security__RequireToken', 'value', 'true')", env, StringComparison.Ordinal);
        Assert.Contains("createObject('name', 'FhirServer__ClientSecret', 'secretRef', variables('clientSecretName'))", env, StringComparison.Ordinal);
        Assert.DoesNotContain("'FhirServer__ClientSecret', 'value'", env, StringComparison.Ordinal);
    }

    /// <summary>The role definition id of an assignment, whether written out or taken from the template's variables.</summary>
    private static string RoleOf(JsonObject assignment, JsonObject variables)
    {
        var expression = (string?)assignment["properties"]!["roleDefinitionId"] ?? string.Empty;
        var named = Regex.Match(expression, @"variables\('(\w+)'\)(?:\.(\w+))?");
        var value = !named.Success ? expression
            : named.Groups[2].Success ? (string?)variables[named.Groups[1].Value]![named.Groups[2].Value]
            : (string?)variables[named.Groups[1].Value];
        return Regex.Match(value ?? string.Empty, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
    }

    private static string ScopeOf(JsonObject assignment)
    {
        var scope = (string?)assignment["scope"] ?? string.Empty;
        return scope.Contains("'Microsoft.ServiceBus/namespaces/queues'", StringComparison.Ordinal) ? "queue"
            : scope.Contains("'Microsoft.KeyVault/vaults'", StringComparison.Ordinal) ? "vault"
            : scope;
    }

    private static JsonObject Parameters(BicepRun run)
    {
        var output = JsonNode.Parse(run.Output)!;
        return JsonNode.Parse((string)output["parametersJson"]!)!["parameters"]!.AsObject();
    }
}
