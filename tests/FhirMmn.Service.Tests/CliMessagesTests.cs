using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using FhirMmn.Cli;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FhirMmn.Service.Tests;

/// <summary>
/// <c>fhirmmn messages</c> against the service (in process, real DI, through its test server's handler) and the
/// real FHIR server process: a dead letter the server caused is listed, shown, resubmitted once the patient is
/// registered, and completes.
/// </summary>
public sealed class CliMessagesTests : IDisposable
{
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }
    }

    private static (int Exit, string Out, string Err) Cli(ServiceConnection connection, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CliApp.Run(args, Stream.Null, stdout, stderr, connection);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task A_dead_letter_is_listed_shown_and_resubmitted_from_the_command_line_and_completes()
    {
        var server = FhirServerProcess.Start();
        started.Add(server);
        var service = new ServiceFactory(new() { ["FhirServer:BaseUrl"] = server.BaseUrl.ToString() });
        started.Add(service);
        var client = service.CreateClient();
        var connection = new ServiceConnection(service.Server.CreateHandler(), _ => null);
        var id = await client.PostAsync(ServiceCalls.Example("example-peroneal-transaction.json"));
        await client.SettledAsync(id);

        var table = Cli(connection, "messages", "list", "--url", "http://localhost", "--state", "dead-lettered");
        var json = Cli(connection, "messages", "list", "--url", "http://localhost", "--json");
        var show = Cli(connection, "messages", "show", id, "--url", "http://localhost");
        var dry = Cli(connection, "messages", "resubmit", "--url", "http://localhost", "--reason", "processing", "--dry-run");
        var stats = Cli(connection, "messages", "stats", "--url", "http://localhost");

        Assert.Equal(0, table.Exit);
        var row = Assert.Single(table.Out.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("dead-lettered", row, StringComparison.Ordinal);
        Assert.Contains("processing", row, StringComparison.Ordinal);
        Assert.StartsWith("ID", table.Out, StringComparison.Ordinal);
        Assert.Equal(0, json.Exit);
        Assert.Equal(id, JsonDocument.Parse(json.Out).RootElement.GetProperty("messages")[0].GetProperty("id").GetString());
        Assert.Equal(0, show.Exit);
        Assert.Contains("received", show.Out, StringComparison.Ordinal);
        Assert.Contains("dead-lettered", show.Out, StringComparison.Ordinal);
        Assert.Equal(0, dry.Exit);
        Assert.Contains("dry run: 1 dead-lettered message(s) match", dry.Out, StringComparison.Ordinal);
        Assert.Contains(id, dry.Out, StringComparison.Ordinal);
        Assert.Equal("dead-lettered", (await client.GetJsonAsync($"/messages/{id}")).GetProperty("state").GetString());
        Assert.Equal(0, stats.Exit);
        Assert.Contains("DEAD-LETTERED", stats.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^default\s+0\s+0\s+1\s", stats.Out);

        using var registered = await server.Client.PostAsync(new Uri("Patient", UriKind.Relative), ServiceCalls.Bundle(
            """{"resourceType":"Patient","identifier":[{"system":"https://ehr.example.org/sid/mrn","value":"MRN-54539514"}]}"""));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var resubmit = Cli(connection, "messages", "resubmit", id, "--url", "http://localhost");
        var done = await client.SettledAsync(id);
        var again = Cli(connection, "messages", "resubmit", id, "--url", "http://localhost");

        Assert.Equal(0, resubmit.Exit);
        Assert.Contains("1 of 1 matching message(s) resubmitted", resubmit.Out, StringComparison.Ordinal);
        Assert.Equal("completed", done.GetProperty("state").GetString());
        Assert.Equal(2, again.Exit);
        Assert.Equal("OperationOutcome", JsonDocument.Parse(again.Out).RootElement.GetProperty("resourceType").GetString());
    }

    [Fact]
    public void Usage_errors_and_an_unreachable_service_exit_1_and_a_refusal_exits_2_with_its_operation_outcome()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var service = new ServiceFactory(new()
        {
            ["Security:RequireToken"] = "true",
            ["Security:SigningKey"] = Convert.ToBase64String(key),
        });
        started.Add(service);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Audience = "fhirmmn",
            Claims = new Dictionary<string, object> { ["fhirmmn_feed"] = "default", ["roles"] = new[] { "FhirMmn.Operator" } },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
        var anonymous = new ServiceConnection(service.Server.CreateHandler(), _ => null);
        var engineer = new ServiceConnection(service.Server.CreateHandler(), name => name == ServiceConnection.TokenVariable ? token : null);

        var refused = Cli(anonymous, "messages", "list", "--url", "http://localhost");
        var allowed = Cli(engineer, "messages", "list", "--url", "http://localhost");
        var badState = Cli(engineer, "messages", "list", "--url", "http://localhost", "--state", "lost");
        var badUrl = Cli(engineer, "messages", "list", "--url", "not a url");
        var both = Cli(engineer, "messages", "resubmit", "abc", "--reason", "processing", "--url", "http://localhost");
        var unreachable = Cli(new ServiceConnection(null, _ => null), "messages", "stats", "--url", "http://127.0.0.1:9");

        Assert.Equal(2, refused.Exit);
        Assert.Equal("login", JsonDocument.Parse(refused.Out).RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
        Assert.Equal(0, allowed.Exit);
        Assert.Contains("(none)", allowed.Out, StringComparison.Ordinal);
        Assert.Equal(2, badState.Exit);
        Assert.Equal("invalid", JsonDocument.Parse(badState.Out).RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
        Assert.Equal(1, badUrl.Exit);
        Assert.Contains("--url", badUrl.Err, StringComparison.Ordinal);
        Assert.Equal(1, both.Exit);
        Assert.Equal(1, unreachable.Exit);
        Assert.Contains("cannot be reached", unreachable.Err, StringComparison.Ordinal);
    }
}
