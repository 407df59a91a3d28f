namespace FhirMmn.Service.Tests;

/// <summary>
/// The real service process with a broken setting: it exits non-zero with one line on stderr that names the key,
/// the rule and where the value breaks it, never the value, and no stack trace anywhere.
/// </summary>
public sealed class StartupErrorTests
{
    public static TheoryData<string, string, string> BrokenSettings => new()
    {
        { "FhirMmn__Feed", "de_fault", "FhirMmn:Feed must be 1 to 63 lower-case letters, digits and '-', not starting with '-' (character 3 is not one of them)" },
        { "FhirMmn__Concurrency", "1000", "FhirMmn:Concurrency must be a whole number from 1 to 256 (it is more than 256)" },
        { "FhirMmn__MaxBundleBytes", "8MB", "FhirMmn:MaxBundleBytes must be a whole number from 1024 to 268435456 (character 2 is not a digit)" },
        { "FhirMmn__LockDuration", "5 minutes", "FhirMmn:LockDuration must be a time span [d.]hh:mm:ss from 00:00:05 to 01:00:00 (character 2 is not a digit, ':' or '.')" },
        { "FhirMmn__WriteBack", "Embedded", "FhirMmn:WriteBack must be auto, embedded or null (from character 1 on it is none of them)" },
        { "FhirServer__BaseUrl", "ehr.example.org/fhir", "FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (it is relative)" },
        { "FhirServer__Timeout", "00:20:00", "FhirServer:Timeout must be a time span [d.]hh:mm:ss from 00:00:00.100 to 00:10:00 (it is longer than 00:10:00)" },
        { "FhirServer__Auth", "static", "FhirServer:Token must be set when FhirServer:Auth is static (it is not; set it in the environment, FhirServer__Token)" },
        { "Security__RequireToken", "yes", "Security:RequireToken must be true or false (it is neither)" },
        { "Security__MaxTokenLifetime", "2.00:00:00", "Security:MaxTokenLifetime must be a time span [d.]hh:mm:ss from 00:01:00 to 1.00:00:00 (it is longer than 1.00:00:00)" },
        { "Security__Authority", "http://login.example.org/tenant", "Security:Authority must be an absolute https URL, without user name, password, query or fragment (its scheme is not https)" },
    };

    [Theory]
    [MemberData(nameof(BrokenSettings))]
    public async Task A_broken_setting_stops_the_process_with_one_line_naming_key_rule_and_place(string variable, string value, string line)
    {
        using var service = ServiceProcess.Launch(new Dictionary<string, string?> { [variable] = value, ["Urls"] = "http://127.0.0.1:0" });

        Assert.Equal(1, await service.ExitCodeAsync());
        Assert.Equal([line], service.ErrorLines);
        AssertNoStackTrace(service);
    }

    [Theory]
    [InlineData("Security__SigningKey", "PLANTED-KEY-4471==", "Security:SigningKey must be base64 of at least 32 random bytes (character 8 is not base64)")]
    [InlineData("FhirServer__BaseUrl", "https://integration:PLANTED-KEY-4471@ehr.example.org/fhir", "FhirServer:BaseUrl must be an absolute http or https URL, without user name, password, query or fragment (it has a user name or password)")]
    [InlineData("FhirServer__Token", "PLANTED-KEY-4471 with a space", "FhirServer:Token must be a bearer token: letters, digits and -._~+/ with '=' only at the end, or be a reference env:NAME or file:PATH to where it is kept (character 17 is not one of them)")]
    public async Task A_broken_secret_is_placed_but_never_printed(string variable, string value, string line)
    {
        using var service = ServiceProcess.Launch(new Dictionary<string, string?> { [variable] = value, ["Urls"] = "http://127.0.0.1:0" });

        Assert.Equal(1, await service.ExitCodeAsync());
        Assert.Equal([line], service.ErrorLines);
        Assert.DoesNotContain("PLANTED-KEY-4471", service.Output + string.Join('\n', service.ErrorLines), StringComparison.Ordinal);
        AssertNoStackTrace(service);
    }

    [Fact]
    public async Task Every_broken_setting_gets_its_own_line_in_one_start()
    {
        using var service = ServiceProcess.Launch(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["FhirMmn__MaxDeliveries"] = "ten",
            ["FhirMmn__ReportStatus"] = "final-ish",
            ["FhirServer__Attempts"] = "0",
            ["Security__RequireToken"] = "true",
        });

        Assert.Equal(1, await service.ExitCodeAsync());
        Assert.Equal(
            [
                "FhirMmn:MaxDeliveries must be a whole number from 1 to 100 (character 1 is not a digit)",
                "FhirMmn:ReportStatus must be preliminary or final (from character 6 on it is none of them)",
                "FhirServer:Attempts must be a whole number from 1 to 10 (it is less than 1)",
                "Security:Authority or Security:SigningKey must be set when Security:RequireToken is true (neither is: no token could be validated)",
            ],
            service.ErrorLines);
        AssertNoStackTrace(service);
    }

    [Fact]
    public async Task The_same_process_with_good_settings_starts_and_answers()
    {
        using var service = ServiceProcess.Launch(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0", ["FhirMmn__Concurrency"] = "256" });
        using var client = new HttpClient { BaseAddress = await service.ListeningAsync() };

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Empty(service.ErrorLines);
    }

    private static void AssertNoStackTrace(ServiceProcess service)
    {
        var everything = service.Output + string.Join('\n', service.ErrorLines);
        Assert.DoesNotContain("   at ", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", everything, StringComparison.Ordinal);
    }
}
