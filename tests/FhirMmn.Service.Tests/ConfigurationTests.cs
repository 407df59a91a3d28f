using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>A bad configuration fails the start with a message that names the key.</summary>
public sealed class ConfigurationTests
{
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
    public void A_bad_setting_stops_the_start_and_names_its_key(string key, string value, string named)
    {
        using var service = new ServiceFactory(new() { [key] = value });

        var error = Record.Exception(() => service.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(error is AggregateException aggregate ? aggregate.InnerException : error);
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_tokens_the_service_refuses_to_listen_beyond_loopback()
    {
        using var service = new ServiceFactory(new() { ["urls"] = "http://0.0.0.0:5999" });

        var error = Record.Exception(() => service.CreateClient());

        Assert.Contains("Security:RequireToken", error?.ToString(), StringComparison.Ordinal);
    }
}
