using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A bad configuration fails the start with a message that names the key. The application is built and started
/// here through the service's own registration, without WebApplicationFactory, whose deferred host can report a
/// failed start as an ObjectDisposedException.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
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
        { "FhirMmn:ReportStatus", "final-ish", "FhirMmn:ReportStatus" },
        { "FhirMmn:WriteBack", "somewhere", "FhirMmn:WriteBack" },
        { "FhirMmn:Concurrency", "0", "Concurrency" },
        { "FhirMmn:Feed", "Default Feed", "FhirMmn:Feed" },
        { "FhirServer:BaseUrl", "ftp://ehr.example.org/fhir", "FhirServer:BaseUrl" },
        { "FhirServer:Auth", "static", "FhirServer:Token" },
        { "FhirServer:Auth", "client-credentials", "FhirServer:TokenEndpoint" },
        { "Security:RequireToken", "true", "Security:SigningKey" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_and_names_its_key(string key, string value, string named)
    {
        var error = await StartAsync(new() { [key] = value });

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_defaults_start()
    {
        Assert.Null(await StartAsync([]));
    }

    [Fact]
    public async Task Without_tokens_the_service_refuses_to_listen_beyond_loopback()
    {
        var error = await StartAsync(new() { ["urls"] = "http://0.0.0.0:5999" });

        Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("Security:RequireToken", error.Message, StringComparison.Ordinal);
    }
}
