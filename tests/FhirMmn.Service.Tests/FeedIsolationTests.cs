using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Four feeds on one service, tried as an attacker holding one feed's token would: alpha (contract codes) and beta
/// (the made-up Northfield hospital's own codes, mapped by its ConceptMaps; its tokens name it by client id) each write
/// to their own real FHIR server process; gamma and delta keep their results in the embedded store.
/// </summary>
public sealed class FeedIsolationTests : IClassFixture<FeedIsolationTests.TwoHospitals>
{
    private readonly TwoHospitals hospitals;

    public FeedIsolationTests(TwoHospitals hospitals) => this.hospitals = hospitals;

    [Fact]
    public async Task Each_hospitals_results_reach_only_its_own_fhir_server_with_the_contracts_codes()
    {
        var alphaReports = FhirServerProcess.Resources(await hospitals.ServerA.SearchAsync("DiagnosticReport"));
        var betaReports = FhirServerProcess.Resources(await hospitals.ServerB.SearchAsync("DiagnosticReport"));

        var alpha = Assert.Single(alphaReports);
        var beta = Assert.Single(betaReports);
        Assert.EndsWith(TwoHospitals.AlphaPatient, alpha.GetProperty("subject").GetProperty("reference").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(TwoHospitals.BetaPatient, beta.GetProperty("subject").GetProperty("reference").GetString(), StringComparison.Ordinal);
        Assert.Equal("definite", ServiceCalls.Category(alpha));
        Assert.Equal("definite", ServiceCalls.Category(beta));

        var betaProvenance = Assert.Single(FhirServerProcess.Resources(await hospitals.ServerB.SearchAsync("Provenance")));
        Assert.Contains("https://emg.northfield-general.example/fhir/ConceptMap/emg-codes|1.0.0",
            betaProvenance.GetProperty("policy").EnumerateArray().Select(p => p.GetString()));
        var alphaProvenance = Assert.Single(FhirServerProcess.Resources(await hospitals.ServerA.SearchAsync("Provenance")));
        Assert.Single(alphaProvenance.GetProperty("policy").EnumerateArray());
    }

    [Fact]
    public async Task A_message_of_one_feed_is_not_found_for_another()
    {
        using var alpha = hospitals.Client(hospitals.AlphaToken);
        using var beta = hospitals.Client(hospitals.BetaToken);

        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync(new Uri($"/messages/{hospitals.AlphaMessage}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await beta.GetAsync(new Uri($"/messages/{hospitals.AlphaMessage}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alpha.GetAsync(new Uri($"/messages/{hospitals.BetaMessage}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await beta.PostAsync(new Uri($"/messages/{hospitals.AlphaMessage}/resubmit", UriKind.Relative), null)).StatusCode);
    }

    [Fact]
    public async Task A_token_acts_for_one_feed_only()
    {
        using var unknown = hospitals.Client(TwoHospitals.Token(feed: "omega"));
        using (var response = await unknown.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(ServiceCalls.Example("example-definite-ulnar-forearm.json"))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // A feed claim decides alone: alpha's claim with beta's client id is alpha's, and beta cannot see its message.
        using var both = hospitals.Client(TwoHospitals.Token(feed: "alpha", clientId: "beta-client"));
        var id = await both.PostAsync(hospitals.AlphaBundle);
        using var beta = hospitals.Client(hospitals.BetaToken);
        Assert.Equal(HttpStatusCode.NotFound, (await beta.GetAsync(new Uri($"/messages/{id}", UriKind.Relative))).StatusCode);
        await both.SettledAsync(id);

        // A client id no feed has, and an unknown client with a malformed feed claim, act for none.
        using var stranger = hospitals.Client(TwoHospitals.Token(feed: null, clientId: "mallory"));
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync(new Uri($"/messages/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Embedded_results_are_read_only_by_their_feed_and_evidence_is_never_merged_across_feeds()
    {
        using var gamma = hospitals.Client(TwoHospitals.Token(feed: "gamma"));
        using var delta = hospitals.Client(TwoHospitals.Token(feed: "delta"));

        var gammaReports = await gamma.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{TwoHospitals.SharedPatient}");
        var deltaReports = await delta.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{TwoHospitals.SharedPatient}");
        Assert.Equal(1, gammaReports.GetProperty("total").GetInt32());
        Assert.Equal(1, deltaReports.GetProperty("total").GetInt32());
        var gammaReport = gammaReports.GetProperty("entry")[0].GetProperty("resource");
        var deltaReport = deltaReports.GetProperty("entry")[0].GetProperty("resource");

        // The same patient id at two feeds: each is assessed on its own feed's results only.
        Assert.Equal("definite", ServiceCalls.Category(gammaReport));
        Assert.Equal("insufficient-data", ServiceCalls.Category(deltaReport));
        Assert.NotEqual(gammaReport.GetProperty("id").GetString(), deltaReport.GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await delta.GetAsync(new Uri($"/fhir/DiagnosticReport/{gammaReport.GetProperty("id").GetString()}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gamma.GetAsync(new Uri($"/fhir/DiagnosticReport/{gammaReport.GetProperty("id").GetString()}", UriKind.Relative))).StatusCode);

        // A feed with a FHIR server has no results here: its reads say where they are.
        using var alpha = hospitals.Client(hospitals.AlphaToken);
        Assert.Equal(HttpStatusCode.NotFound, (await alpha.GetAsync(new Uri($"/fhir/DiagnosticReport?subject=Patient/{TwoHospitals.SharedPatient}", UriKind.Relative))).StatusCode);
    }

    /// <summary>The two FHIR servers, the service with four feeds, and one message of each feed, settled.</summary>
    public sealed class TwoHospitals : IAsyncLifetime, IDisposable
    {
        public const string AlphaPatient = "pat-example-definite-ulnar-forearm-alpha";
        public const string BetaPatient = "pat-northfield-0001-beta";
        public const string SharedPatient = "pat-example-definite-ulnar-forearm";

        private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
        private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-feeds-").FullName;
        private ServiceFactory service = null!;

        public async Task InitializeAsync()
        {
            var alpha = FhirServerProcess.Rebase("example-definite-ulnar-forearm.json", folder, "-alpha");
            var beta = FhirServerProcess.Rebase("feeds/northfield/bundle-definite-ulnar-forearm.json", folder, "-beta");
            ServerA = FhirServerProcess.Start(alpha.SeedFile);
            ServerB = FhirServerProcess.Start(beta.SeedFile);
            var maps = FhirMmn.Testing.Repository.PathOf("examples", "feeds", "northfield");
            service = new ServiceFactory(new()
            {
                ["Security:RequireToken"] = "true",
                ["Security:SigningKey"] = Convert.ToBase64String(Key),
                ["Security:Audience"] = "fhirmmn",
                ["Feeds:alpha:FhirServer:BaseUrl"] = ServerA.BaseUrl.ToString(),
                ["Feeds:alpha:FhirServer:Timeout"] = "00:00:05",
                ["Feeds:beta:ClientId"] = "beta-client",
                ["Feeds:beta:PatientIdentifierSystem"] = "https://ehr.northfield-general.example/sid/mrn",
                ["Feeds:beta:CodeMaps:0"] = Path.Combine(maps, "conceptmap-emg-codes.json"),
                ["Feeds:beta:CodeMaps:1"] = Path.Combine(maps, "conceptmap-emg-units.json"),
                ["Feeds:beta:FhirServer:BaseUrl"] = ServerB.BaseUrl.ToString(),
                ["Feeds:beta:FhirServer:RequestsPerSecond"] = "50",
                ["Feeds:gamma:ReportStatus"] = "preliminary",
                ["Feeds:delta:ReportStatus"] = "preliminary",
            });
            AlphaToken = Token(feed: "alpha", asOperator: true);
            BetaToken = Token(feed: null, clientId: "beta-client", asOperator: true);
            AlphaBundle = alpha.Bundle(ServerA.BaseUrl);
            using var alphaClient = Client(AlphaToken);
            using var betaClient = Client(BetaToken);
            using var gamma = Client(Token(feed: "gamma"));
            using var delta = Client(Token(feed: "delta"));
            AlphaMessage = await alphaClient.PostAsync(AlphaBundle);
            BetaMessage = await betaClient.PostAsync(beta.Bundle(ServerB.BaseUrl));
            var gammaMessage = await gamma.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
            var deltaMessage = await delta.PostAsync(ServiceCalls.Example("example-insufficient-no-area.json")
                .Replace("pat-example-insufficient-no-area", SharedPatient, StringComparison.Ordinal));
            foreach (var (client, id) in new[] { (alphaClient, AlphaMessage), (betaClient, BetaMessage), (gamma, gammaMessage), (delta, deltaMessage) })
            {
                var settled = await client.SettledAsync(id);
                Assert.True(settled.GetProperty("state").GetString() == "completed", settled.ToString());
            }
        }

        public FhirServerProcess ServerA { get; private set; } = null!;

        public FhirServerProcess ServerB { get; private set; } = null!;

        public string AlphaToken { get; private set; } = null!;

        public string BetaToken { get; private set; } = null!;

        public string AlphaBundle { get; private set; } = null!;

        public string AlphaMessage { get; private set; } = null!;

        public string BetaMessage { get; private set; } = null!;

        public HttpClient Client(string token)
        {
            var client = service.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        /// <summary>A token for a feed (by its feed claim, or by client id), with the operator role when <paramref name="asOperator"/>, so that only the feed decides.</summary>
        public static string Token(string? feed, string? clientId = null, bool asOperator = false)
        {
            var claims = new Dictionary<string, object> { ["sub"] = "ehr-integration" };
            if (asOperator)
            {
                claims["roles"] = "FhirMmn.Operator";
            }

            if (feed is not null)
            {
                claims["fhirmmn_feed"] = feed;
            }

            if (clientId is not null)
            {
                claims["azp"] = clientId;
            }

            var now = DateTime.UtcNow;
            return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Audience = "fhirmmn",
                Claims = claims,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(10),
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
            });
        }

        public Task DisposeAsync()
        {
            Dispose();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            service?.Dispose();
            ServerA?.Dispose();
            ServerB?.Dispose();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
