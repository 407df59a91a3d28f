using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A bad configuration fails the start with one line per broken rule, naming the key, the rule and where the value
/// breaks it; a value on the edge of its rule starts. The application is built and started
/// here through the service's own registration, without WebApplicationFactory, whose deferred host can report a
/// failed start as an ObjectDisposedException.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
    private static readonly string Key32 = Convert.ToBase64String(new byte[32]);
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-config-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task<Exception?> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FhirMmn:DataDirectory"] = folder,
            ["Security:RequireToken"] = "false",
            ["urls"] = "http://127.0.0.1:0",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return await Record.ExceptionAsync(async () =>
        {
            builder.AddFhirMmn();
            await using var app = builder.Build();
            app.UseFhirMmn();
            await app.StartAsync();
            await app.StopAsync();
        });
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "FhirMmn:DataDirectory", "", "FhirMmn:DataDirectory must be a folder path (absolute, or relative to the content root) (it is empty)" },
        { "FhirMmn:Feed", "", "FhirMmn:Feed must be 1 to 63 lower-case letters, digits and '-', not starting with '-' (it is empty)" },
        { "FhirMmn:Feed", "Default Feed", "FhirMmn:Feed must be 1 to 63 lower-case letters, digits and '-', not starting with '-' (character 1 is not one of them)" },
        { "FhirMmn:Feed", "-a", "FhirMmn:Feed must be 1 to 63 lower-case letters, digits and '-', not starting with '-' (character 1 is not one of them)" },
        { "FhirMmn:Feed", new string('a', 64), "FhirMmn:Feed must be 1 to 63 lower-case letters, digits and '-', not starting with '-' (it is longer than 63)" },
        { "FhirMmn:MaxBundleBytes", "1023", "FhirMmn:MaxBundleBytes must be a whole number from 1024 to 268435456 (it is less than 1024)" },
        { "FhirMmn:MaxBundleBytes", "268435457", "FhirMmn:MaxBundleBytes must be a whole number from 1024 to 268435456 (it is more than 268435456)" },
        { "FhirMmn:MaxBundleBytes", "99999999999999999999", "FhirMmn:MaxBundleBytes must be a whole number from 1024 to 268435456 (it is too long to be a number)" },
        { "FhirMmn:PatientIdentifierSystem", "mrn", "FhirMmn:PatientIdentifierSystem must be an absolute URI such as https://ehr.example.org/sid/mrn or urn:oid:1.2.3, without spaces (it is not an absolute URI)" },
        { "FhirMmn:PatientIdentifierSystem", "https://x y", "FhirMmn:PatientIdentifierSystem must be an absolute URI such as https://ehr.example.org/sid/mrn or urn:oid:1.2.3, without spaces (character 10 is not printable ASCII)" },
        { "FhirMmn:ReadCacheBytes", "-1", "FhirMmn:ReadCacheBytes must be a whole number from 0 to 17179869184 (it is less than 0)" },
        { "FhirMmn:Concurrency", "0", "FhirMmn:Concurrency must be a whole number from 1 to 256 (it is less than 1)" },
        { "FhirMmn:Concurrency", "257", "FhirMmn:Concurrency must be a whole number from 1 to 256 (it is more than 256)" },
        { "FhirMmn:Concurrency", "1.5", "FhirMmn:Concurrency must be a whole number from 1 to 256 (character 2 is not a digit)" },
        { "FhirMmn:LockDuration", "00:00:04.999", "FhirMmn:LockDuration must be a time span [d.]hh:mm:ss from 00:00:05 to 01:00:00 (it is shorter than 00:00:05)" },
        { "FhirMmn:LockDuration", "01:00:00.001", "FhirMmn:LockDuration must be a time span [d.]hh:mm:ss from 00:00:05 to 01:00:00 (it is longer than 01:00:00)" },
        { "FhirMmn:LockDuration", "1:2:3:4:5", "FhirMmn:LockDuration must be a time span [d.]hh:mm:ss from 00:00:05 to 01:00:00 (it is not of the form [d.]hh:mm:ss)" },
        { "Messaging:Transport", "Kafka", "Messaging:Transport must be Embedded, AzureServiceBus or RabbitMQ (from character 1 on it is none of them)" },
        { "Messaging:Transport", "rabbitmq", "Messaging:Transport must be Embedded, AzureServiceBus or RabbitMQ (from character 1 on it is none of them)" },
        { "Messaging:RabbitMQ:Uri", "amqp://user:secret@broker/", "Messaging:RabbitMQ:Uri must be an absolute amqp or amqps URI, without user name, password, query or fragment (it holds a user name or password)" },
        { "Messaging:RabbitMQ:Uri", "http://broker/", "Messaging:RabbitMQ:Uri must be an absolute amqp or amqps URI, without user name, password, query or fragment (its scheme is neither amqp nor amqps)" },
        { "Messaging:RabbitMQ:QueueName", "-bundles", "Messaging:RabbitMQ:QueueName must be 1 to 200 letters, digits, '-', '_' or '.', starting with a letter or digit (character 1 is not one of them)" },
        { "Messaging:AzureServiceBus:FullyQualifiedNamespace", "sb://fhirmmn.servicebus.windows.net", "Messaging:AzureServiceBus:FullyQualifiedNamespace must be a host name such as fhirmmn.servicebus.windows.net (letters, digits, '-' and '.') (character 3 is not one of them)" },
        { "Messaging:AzureServiceBus:ConnectionString", "Endpoint=https://x;SharedAccessKey=k", "Messaging:AzureServiceBus:ConnectionString must be a Service Bus connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...) (it has no Endpoint=sb:// part)" },
        { "Messaging:Transport", "AzureServiceBus", "Messaging:AzureServiceBus:FullyQualifiedNamespace or Messaging:AzureServiceBus:ConnectionString (environment Messaging__AzureServiceBus__ConnectionString) must be set when Messaging:Transport is AzureServiceBus (neither is)" },
        { "Messaging:RabbitMQ:Prefetch", "0", "Messaging:RabbitMQ:Prefetch must be a whole number from 1 to 1000 (it is less than 1)" },
        { "FhirMmn:MaxDeliveries", "101", "FhirMmn:MaxDeliveries must be a whole number from 1 to 100 (it is more than 100)" },
        { "FhirMmn:RetryBaseDelay", "00:00:00.009", "FhirMmn:RetryBaseDelay must be a time span [d.]hh:mm:ss from 00:00:00.010 to 01:00:00 (it is shorter than 00:00:00.010)" },
        { "FhirMmn:RetryMaxDelay", "00:00:04", "FhirMmn:RetryMaxDelay must not be shorter than FhirMmn:RetryBaseDelay (it is)" },
        { "FhirMmn:MessageRetention", "00:59:59", "FhirMmn:MessageRetention must be a time span [d.]hh:mm:ss from 01:00:00 to 3650.00:00:00 (it is shorter than 01:00:00)" },
        { "FhirMmn:EpisodeGap", "23:59:59", "FhirMmn:EpisodeGap must be a time span [d.]hh:mm:ss from 1.00:00:00 to 3650.00:00:00 (it is shorter than 1.00:00:00)" },
        { "FhirMmn:ReportStatus", "fin", "FhirMmn:ReportStatus must be preliminary or final (it stops after character 3)" },
        { "FhirMmn:CarePlanStatus", "Active", "FhirMmn:CarePlanStatus must be draft or active (from character 1 on it is none of them)" },
        { "FhirMmn:WriteBack", "somewhere", "FhirMmn:WriteBack must be auto, embedded or null (from character 1 on it is none of them)" },
        { "FhirServer:BaseUrl", "ftp://ehr.example.org/fhir", "FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (its scheme is not http or https)" },
        { "FhirServer:BaseUrl", "https://ehr.example.org/fhir?tenant=1", "FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (it has a query)" },
        { "FhirServer:BaseUrl", "https://ehr.example.org/fhir#top", "FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (it has a fragment)" },
        { "FhirServer:Timeout", "00:00:00.099", "FhirServer:Timeout must be a time span [d.]hh:mm:ss from 00:00:00.100 to 00:10:00 (it is shorter than 00:00:00.100)" },
        { "FhirServer:Attempts", "11", "FhirServer:Attempts must be a whole number from 1 to 10 (it is more than 10)" },
        { "FhirServer:Auth", "Static", "FhirServer:Auth must be none, static, client-credentials, smart-backend-services or entra-id (from character 1 on it is none of them)" },
        { "FhirServer:TokenEndpoint", "/oauth/token", "FhirServer:TokenEndpoint must be an absolute http or https URL, without user name, password, query or fragment (it is relative)" },
        { "FhirServer:ClientId", "my client", "FhirServer:ClientId must be without spaces or control characters (character 3 is not allowed (a space or control character))" },
        { "FhirServer:Scope", "system/*.read  system/*.write", "FhirServer:Scope must be scope names of printable ASCII other than '\"' and '\\', separated by single spaces (character 15 is not allowed there)" },
        { "FhirServer:Scope", " fhir", "FhirServer:Scope must be scope names of printable ASCII other than '\"' and '\\', separated by single spaces (character 1 is not allowed there)" },
        { "Feeds:a:EpisodeGap", "23:59:59", "Feeds:a:EpisodeGap must be a time span [d.]hh:mm:ss from 1.00:00:00 to 3650.00:00:00 (it is shorter than 1.00:00:00)" },
        { "Feeds:a:FhirServer:BaseUrl", "ftp://ehr.example.org/fhir", "Feeds:a:FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (its scheme is not http or https)" },
        { "Feeds:a:FhirServer:Algorithm", "RS256", "Feeds:a:FhirServer:Algorithm must be RS384 or ES384 (from character 3 on it is none of them)" },
        { "Feeds:Clinic_A:ReportStatus", "final", "Feeds:{name} must be a name of 1 to 63 lower-case letters, digits and '-', not starting with '-' (the feed in place 1: character 1 is not one of them)" },
        { "Feeds:a:CodeMaps:0", "missing-map.json", "Feeds:a:CodeMaps:0 must be a ConceptMap file that can be read (it cannot: FileNotFoundException)" },
        { "Security:SigningKey", Convert.ToBase64String(new byte[31]), "Security:SigningKey must be base64 of at least 32 random bytes (it decodes to fewer than 32 bytes)" },
        { "Security:Issuer", "https://idp example", "Security:Issuer must be without spaces or control characters (character 12 is not allowed (a space or control character))" },
        { "Security:Audience", "", "Security:Audience must be set, without spaces or control characters (it is empty)" },
        { "Security:FeedClaim", "feed claim", "Security:FeedClaim must be set, without spaces or control characters (character 5 is not allowed (a space or control character))" },
        { "Security:MaxTokenLifetime", "00:00:59", "Security:MaxTokenLifetime must be a time span [d.]hh:mm:ss from 00:01:00 to 1.00:00:00 (it is shorter than 00:01:00)" },
        { "Security:MaxTokenLifetime", "1.00:00:01", "Security:MaxTokenLifetime must be a time span [d.]hh:mm:ss from 00:01:00 to 1.00:00:00 (it is longer than 1.00:00:00)" },
        { "Security:RequireToken", "true", "Security:Authority or Security:SigningKey must be set when Security:RequireToken is true (neither is: no token could be validated)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_broken_rule_stops_the_start_with_one_line_naming_the_key_the_rule_and_where(string key, string value, string line)
    {
        var error = await StartAsync(new() { [key] = value });

        Assert.IsType<OptionsValidationException>(error);
        Assert.Equal(line, Assert.Single(StartupErrors.Describe(error!)!));
    }

    public static TheoryData<string, string> EdgeSettings => new()
    {
        { "FhirMmn:Feed", "a" },
        { "FhirMmn:Feed", "a-" },
        { "FhirMmn:Feed", new string('a', 63) },
        { "FhirMmn:MaxBundleBytes", "1024" },
        { "FhirMmn:MaxBundleBytes", "268435456" },
        { "FhirMmn:PatientIdentifierSystem", "urn:oid:1.2.3" },
        { "FhirMmn:ReadCacheBytes", "0" },
        { "FhirMmn:Concurrency", "1" },
        { "FhirMmn:Concurrency", "256" },
        { "FhirMmn:LockDuration", "00:00:05" },
        { "FhirMmn:LockDuration", "01:00:00" },
        { "FhirMmn:MaxDeliveries", "100" },
        { "FhirMmn:RetryMaxDelay", "00:00:05" },
        { "FhirMmn:MessageRetention", "01:00:00" },
        { "FhirMmn:EpisodeGap", "1.00:00:00" },
        { "FhirMmn:ReportStatus", "final" },
        { "FhirMmn:CarePlanStatus", "active" },
        { "FhirMmn:WriteBack", "embedded" },
        { "FhirServer:BaseUrl", "https://ehr.example.org/fhir" },
        { "FhirServer:Timeout", "00:00:00.100" },
        { "FhirServer:Attempts", "10" },
        { "FhirServer:Scope", "system/*.read system/*.write" },
        { "Feeds:a:FhirServer:RequestsPerSecond", "10000" },
        { "Feeds:a:FhirServer:Token", "file:/nonexistent/only-read-for-static" },
        { "Security:SigningKey", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
        { "Security:Authority", "https://login.example.org/tenant/v2.0" },
        { "Security:MaxTokenLifetime", "00:01:00" },
        { "Security:MaxTokenLifetime", "1.00:00:00" },
    };

    [Theory]
    [MemberData(nameof(EdgeSettings))]
    public async Task A_value_on_the_edge_of_its_rule_starts(string key, string value)
    {
        Assert.Null(await StartAsync(new() { [key] = value }));
    }

    [Fact]
    public async Task Client_credentials_names_each_key_it_still_needs()
    {
        var error = await StartAsync(new() { ["FhirServer:Auth"] = "client-credentials", ["FhirServer:ClientId"] = "fhirmmn" });

        Assert.Equal(
            [
                "FhirServer:TokenEndpoint must be set when FhirServer:Auth is client-credentials (it is not)",
                "FhirServer:ClientSecret must be set when FhirServer:Auth is client-credentials (it is not; set it in the environment, FhirServer__ClientSecret)",
            ],
            StartupErrors.Describe(error!));
    }

    [Fact]
    public async Task The_defaults_start()
    {
        Assert.Null(await StartAsync([]));
    }

    [Fact]
    public async Task Tokens_with_a_signing_key_start()
    {
        Assert.Null(await StartAsync(new() { ["Security:RequireToken"] = "true", ["Security:SigningKey"] = Key32 }));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:0")]
    [InlineData("Kestrel:Endpoints:Intake:Url", "http://127.0.0.2:0")]
    public async Task Without_tokens_the_service_refuses_to_listen_beyond_loopback(string key, string value)
    {
        var error = await StartAsync(new() { [key] = value });

        Assert.IsType<StartupException>(error);
        Assert.StartsWith("Security:RequireToken is false", Assert.Single(StartupErrors.Describe(error)!), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_setting_but_a_switch_has_a_rule()
    {
        foreach (var type in new[] { typeof(FhirMmnOptions), typeof(FhirServerOptions), typeof(SecurityOptions), typeof(MessagingOptions), typeof(RabbitMqOptions), typeof(AzureServiceBusOptions) })
        {
            foreach (var property in type.GetProperties().Where(p => p.PropertyType != typeof(bool)))
            {
                Assert.True(property.GetCustomAttributes(typeof(SettingRuleAttribute), inherit: true).Length == 1, $"{type.Name}.{property.Name} has no rule");
            }
        }
    }

    [Fact]
    public void The_readme_states_the_rule_of_every_setting()
    {
        var readme = File.ReadAllText(FhirMmn.Testing.Repository.PathOf("README.md"));
        var start = readme.IndexOf("## Configuration", StringComparison.Ordinal);
        var rows = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)].Split('\n').Where(l => l.StartsWith('|')).ToList();
        foreach (var (type, section) in new[] { (typeof(FhirMmnOptions), FhirMmnOptions.Section), (typeof(FhirServerOptions), FhirServerOptions.Section), (typeof(SecurityOptions), SecurityOptions.Section), (typeof(MessagingOptions), MessagingOptions.Section), (typeof(RabbitMqOptions), RabbitMqOptions.Section), (typeof(AzureServiceBusOptions), AzureServiceBusOptions.Section), (typeof(Feeds.FeedOptions), "Feeds:{name}") })
        {
            foreach (var property in type.GetProperties().Where(p => p.PropertyType == typeof(bool) || p.GetCustomAttributes(typeof(SettingRuleAttribute), inherit: true).Length > 0))
            {
                var key = $"`{section}:{property.Name}`";
                var rule = property.GetCustomAttributes(typeof(SettingRuleAttribute), inherit: true).Cast<SettingRuleAttribute>().SingleOrDefault()?.Rule ?? "be true or false";
                var row = rows.FirstOrDefault(r => r.Split('|')[1].Contains(key, StringComparison.Ordinal));
                Assert.True(row is not null, $"no README row for {key}");
                Assert.True(row.Contains("must " + rule, StringComparison.Ordinal), $"the README row of {key} does not say it must {rule}");
            }
        }
    }
}
