using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PuppeteerSharp;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The operations page at /admin in Debian's headless Chromium (PuppeteerSharp pointed at /usr/bin/chromium), served
/// by the service as its own process against the real FHIR server process. FHIRMMN_ADMIN_PNG names a file to save
/// the page's screenshot to (docs/render-admin.sh redraws docs/admin.png so).
/// </summary>
public sealed class AdminPageTests : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-admin-").FullName;
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The browser's profile may still be closing; the temp folder is cleaned by the OS.
        }
    }

    public static async Task<IBrowser> LaunchAsync(string profile)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run does)");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Chromium,
            UserDataDir = profile,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            DefaultViewport = new ViewPortOptions { Width = 1400, Height = 900 },
        });
    }

    private async Task<(ServiceProcess Service, FhirServerProcess Server)> StartAsync(Dictionary<string, string>? environment = null)
    {
        var server = FhirServerProcess.Start();
        started.Add(server);
        var settings = new Dictionary<string, string>
        {
            ["FhirMmn__WriteBack"] = "auto",
            ["FhirServer__BaseUrl"] = server.BaseUrl.ToString(),
            ["FhirMmn__RetryBaseDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in environment ?? [])
        {
            settings[key] = value;
        }

        var service = ServiceProcess.Start(Path.Combine(folder, "data"), settings);
        started.Add(service);
        await service.WaitReadyAsync();
        return (service, server);
    }

    private static Task<IJSHandle> WaitForTextAsync(IPage page, string selector, string text) =>
        page.WaitForFunctionAsync(
            "(selector, text) => { const e = document.querySelector(selector); return e !== null && e.textContent.includes(text); }",
            new WaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 },
            selector, text);

    [Fact]
    public async Task A_bundle_the_fhir_server_refused_is_found_on_the_page_resubmitted_after_the_patient_is_registered_and_completes()
    {
        var (service, server) = await StartAsync();
        var id = await service.Client.PostAsync(Planted.Bundle());
        Assert.Equal("dead-lettered", (await service.Client.SettledAsync(id)).GetProperty("state").GetString());
        var done = await service.Client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
        await service.Client.SettledAsync(done);

        await using var browser = await LaunchAsync(Path.Combine(folder, "profile"));
        await using var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Message.Type == ConsoleType.Error)
            {
                errors.Add(message.Message.Text + " " + message.Message.Location?.URL);
            }
        };
        var response = await page.GoToAsync(new Uri(service.Client.BaseAddress!, "/admin").ToString(), WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync($"#dead tr[data-id='{id}']", new WaitForSelectorOptions { Timeout = 30_000 });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains("script-src 'self'", response.Headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", response.Headers["content-security-policy"], StringComparison.Ordinal);
        var row = await page.EvaluateExpressionAsync<string>($"document.querySelector(\"#dead tr[data-id='{id}']\").textContent");
        Assert.Contains("processing", row, StringComparison.Ordinal);
        var feed = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#feeds tr[data-feed=\"default\"] td')].map(td => td.textContent)");
        Assert.Equal("default", feed[0]);
        Assert.Equal("1", feed[3]);
        Assert.Equal("2", feed[5]);
        Assert.Equal("1", feed[6]);

        await page.ClickAsync($"#dead button[data-history='{id}']");
        await WaitForTextAsync(page, "#history-state", "dead-lettered");
        await WaitForTextAsync(page, "#history-steps", "received");
        await page.TypeAsync("#filter-reason", "processing");
        await page.ClickAsync("#filter-dry");
        await WaitForTextAsync(page, "#filter-result", "1 dead letter(s) match");
        var screenshot = Path.Combine(folder, "admin.png");
        await page.ScreenshotAsync(screenshot, new ScreenshotOptions { FullPage = true });
        if (Environment.GetEnvironmentVariable("FHIRMMN_ADMIN_PNG") is { Length: > 0 } keep)
        {
            File.Copy(screenshot, keep, overwrite: true);
        }

        Planted.AssertAbsent("the page", await page.GetContentAsync());
        Assert.Equal("dead-lettered", (await service.Client.GetJsonAsync($"/messages/{id}")).GetProperty("state").GetString());

        using var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(Planted.PatientJson));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        await page.ClickAsync($"#dead button[data-resubmit='{id}']");
        await WaitForTextAsync(page, "#history-state", "completed");
        await WaitForTextAsync(page, "#dead tbody", "No dead letters.");

        Assert.Equal("completed", (await service.Client.GetJsonAsync($"/messages/{id}")).GetProperty("state").GetString());
        var steps = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#history-steps tr td:nth-child(2)')].map(td => td.textContent)");
        Assert.Equal(["received", "dead-lettered", "resubmitted", "completed"], steps);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was drawn");
        Assert.Empty(errors);
        Planted.AssertAbsent("the page", await page.GetContentAsync());
    }

    [Fact]
    public async Task With_tokens_the_page_asks_for_one_keeps_it_in_session_storage_only_and_then_shows_the_feeds()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var (service, _) = await StartAsync(new()
        {
            ["Security__RequireToken"] = "true",
            ["Security__SigningKey"] = Convert.ToBase64String(key),
        });
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Audience = "fhirmmn",
            Claims = new Dictionary<string, object> { ["fhirmmn_feed"] = "default", ["roles"] = new[] { "FhirMmn.Operator" } },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
        using (var anonymous = await service.Client.GetAsync(new Uri("/messages", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        await using var browser = await LaunchAsync(Path.Combine(folder, "profile-token"));
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(new Uri(service.Client.BaseAddress!, "/admin").ToString(), WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync("#login:not([hidden])", new WaitForSelectorOptions { Timeout = 30_000 });
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('main').hidden"));

        await page.TypeAsync("#token", token);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.WaitForSelectorAsync("#feeds tr[data-feed='default']", new WaitForSelectorOptions { Timeout = 30_000 });

        Assert.Equal(token, await page.EvaluateExpressionAsync<string>("sessionStorage.getItem('fhirmmn.token')"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("localStorage.length"));
        Assert.Empty(await page.GetCookiesAsync());
        Assert.Equal(string.Empty, await page.EvaluateExpressionAsync<string>("document.getElementById('token').value"));
        await page.ClickAsync("#forget");
        await page.WaitForSelectorAsync("#login:not([hidden])", new WaitForSelectorOptions { Timeout = 10_000 });
        Assert.Null(await page.EvaluateExpressionAsync<string?>("sessionStorage.getItem('fhirmmn.token')"));
    }
}
