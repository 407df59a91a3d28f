using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Without tokens (the development profile) the service serves this machine only, whichever setting chose its
/// addresses: the real service process is started with each of them, and the addresses it actually bound decide.
/// </summary>
public sealed class LoopbackGuardTests : IDisposable
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-guard-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string, string[], string, string> BeyondLoopback => new()
    {
        { "Urls", [], "Urls=http://0.0.0.0:0", "http://0.0.0.0:" },
        { "ASPNETCORE_URLS all IPv4", [], "ASPNETCORE_URLS=http://0.0.0.0:0", "http://0.0.0.0:" },
        { "ASPNETCORE_URLS all IPv6", [], "ASPNETCORE_URLS=http://[::]:0", "http://[::]:" },
        { "ASPNETCORE_URLS wildcard", [], "ASPNETCORE_URLS=http://*:0", "http://[::]:" },
        { "ASPNETCORE_URLS host name", [], "ASPNETCORE_URLS=http://fhirmmn.example.org:0", "http://[::]:" },
        { "--urls another loopback address", ["--urls", "http://127.0.0.2:0"], string.Empty, "http://127.0.0.2:" },
        { "--urls a loopback and a public address", ["--urls", "http://127.0.0.1:0;http://0.0.0.0:0"], string.Empty, "http://0.0.0.0:" },
        { "Kestrel:Endpoints (issue 10)", [], "Kestrel__Endpoints__Intake__Url=http://127.0.0.2:0", "http://127.0.0.2:" },
        { "Kestrel:Endpoints over loopback Urls", [], "Kestrel__Endpoints__Intake__Url=http://0.0.0.0:0;Urls=http://127.0.0.1:0", "http://0.0.0.0:" },
        { "HTTP_PORTS", [], "HTTP_PORTS=0", "http://[::]:" },
        { "ASPNETCORE_HTTP_PORTS", [], "ASPNETCORE_HTTP_PORTS=0", "http://[::]:" },
    };

    [Theory]
    [MemberData(nameof(BeyondLoopback))]
    public async Task Without_tokens_a_bound_address_beyond_loopback_stops_the_start(string setting, string[] arguments, string environment, string bound)
    {
        using var service = ServiceProcess.Launch(Environment(environment), arguments);

        Assert.True(await service.ExitCodeAsync() == 1, setting);
        var line = Assert.Single(service.ErrorLines);
        Assert.StartsWith("Security:RequireToken is false (the development profile), so the service must listen on 127.0.0.1, [::1] or localhost only, but it bound " + bound, line, StringComparison.Ordinal);
        Assert.DoesNotContain("ListeningOnAddress", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_tokens_HTTPS_PORTS_on_all_addresses_stops_the_start()
    {
        var certificate = Path.Combine(folder, "localhost.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificate, made.Export(X509ContentType.Pkcs12, "test-only"));
        }

        using var service = ServiceProcess.Launch(new Dictionary<string, string?>
        {
            ["HTTPS_PORTS"] = "0",
            ["Kestrel__Certificates__Default__Path"] = certificate,
            ["Kestrel__Certificates__Default__Password"] = "test-only",
        });

        Assert.Equal(1, await service.ExitCodeAsync());
        Assert.StartsWith("Security:RequireToken is false", Assert.Single(service.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("but it bound https://[::]:", service.ErrorLines[0], StringComparison.Ordinal);
    }

    public static TheoryData<string, string[], string> OnLoopback => new()
    {
        { "ASPNETCORE_URLS 127.0.0.1", [], "ASPNETCORE_URLS=http://127.0.0.1:0" },
        { "ASPNETCORE_URLS [::1]", [], "ASPNETCORE_URLS=http://[::1]:0" },
        { "--urls localhost", ["--urls", $"http://localhost:{ServiceProcess.FreePort()}"], string.Empty },
        { "Kestrel:Endpoints 127.0.0.1", [], "Kestrel__Endpoints__Intake__Url=http://127.0.0.1:0" },
    };

    [Theory]
    [MemberData(nameof(OnLoopback))]
    public async Task Without_tokens_loopback_addresses_start_and_serve_without_a_token(string setting, string[] arguments, string environment)
    {
        using var service = ServiceProcess.Launch(Environment(environment), arguments);
        using var client = new HttpClient { BaseAddress = await service.ListeningAsync() };

        using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(ServiceCalls.Example("example-definite-ulnar-forearm.json")));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, setting);
    }

    [Fact]
    public async Task With_tokens_the_service_may_listen_on_every_address()
    {
        using var service = ServiceProcess.Launch(new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = "http://0.0.0.0:0",
            ["Security__RequireToken"] = "true",
            ["Security__SigningKey"] = Key,
        });
        var bound = await service.ListeningAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{bound.Port}") };

        using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(ServiceCalls.Example("example-definite-ulnar-forearm.json")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>
    /// The gate that covers the moment between the bind and the check: on a server bound to 127.0.0.1 and 127.0.0.2,
    /// a request to 127.0.0.1 is served and one to 127.0.0.2 gets no answer at all, its connection closed unread.
    /// </summary>
    [Fact]
    public async Task Without_tokens_a_connection_to_an_address_beyond_the_rule_is_closed_unread()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://127.0.0.2:0").ConfigureKestrel(kestrel => kestrel.UseLoopbackGate());
        builder.Services.AddOptions<SecurityOptions>().Configure(security => security.RequireToken = false);
        await using var app = builder.Build();
        var served = 0;
        app.MapPost("/fhir/Bundle", () =>
        {
            Interlocked.Increment(ref served);
            return Results.Accepted();
        });
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .ToDictionary(a => new Uri(a).Host, a => new Uri(a).Port);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports["127.0.0.1"]}") };
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), new StringContent("{}"))).StatusCode);
        Assert.Equal(0, await RawPostAsync(IPAddress.Parse("127.0.0.2"), ports["127.0.0.2"]));
        Assert.Equal(1, served);
        await app.StopAsync();
    }

    public static TheoryData<string, string, bool> Connections => new()
    {
        { "127.0.0.1", "127.0.0.1", true },
        { "::1", "::1", true },
        { "::ffff:127.0.0.1", "::ffff:127.0.0.1", true },
        { "127.0.0.2", "127.0.0.1", false },
        { "192.0.2.10", "192.0.2.20", false },
        { "192.0.2.10", "127.0.0.1", false },
        { "127.0.0.1", "192.0.2.20", false },
        { "2001:db8::1", "2001:db8::2", false },
        { "::ffff:192.0.2.10", "::ffff:192.0.2.20", false },
    };

    [Theory]
    [MemberData(nameof(Connections))]
    public void A_connection_is_admitted_only_when_both_ends_are_loopback(string local, string remote, bool admitted)
    {
        var connection = new DefaultConnectionContext
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Parse(local), 5080),
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse(remote), 40000),
        };

        Assert.Equal(admitted, LoopbackGuard.Admits(connection));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("https://[::1]:5081", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://LOCALHOST:5080", true)]
    [InlineData("http://127.0.0.2:5080", false)]
    [InlineData("http://127.1.0.1:5080", false)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://app.localhost:5080", false)]
    [InlineData("http://ehr.example.org:5080", false)]
    [InlineData("http://unix:/tmp/fhirmmn.sock", false)]
    [InlineData("not an address", false)]
    public void A_bound_address_is_loopback_only_when_it_is_127_0_0_1_or_1_or_localhost(string address, bool loopback)
    {
        Assert.Equal(loopback, LoopbackGuard.IsLoopback(address));
    }

    private static Dictionary<string, string?> Environment(string assignments)
    {
        var environment = new Dictionary<string, string?>();
        foreach (var assignment in assignments.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (assignment[..assignment.IndexOf('=', StringComparison.Ordinal)], assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>Sends a POST on a raw socket and returns how many bytes of answer came before the server closed it.</summary>
    private static async Task<int> RawPostAsync(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Closed at once by the server: the reset can reach even the connect.
            await socket.ConnectAsync(address, port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /fhir/Bundle HTTP/1.1\r\nHost: {address}:{port}\r\nContent-Length: 2\r\n\r\n{{}}"));
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
