using System.Net;
using System.Text;
using System.Text.Json;
using FhirMmn.Service.Messaging;
using FhirMmn.Testing;
using RabbitMQ.Client;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>A RabbitMQ node of these tests' own, which they stop, start and cut off.</summary>
public sealed class OwnRabbitMq : IAsyncLifetime
{
    public RabbitMqBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await RabbitMqBroker.StartOwnAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>
/// The service with Messaging:Transport=RabbitMQ against a real broker, as a new user would run it: bundles over HTTP
/// and straight onto the queue, a malformed one dead-lettered with its reason, and the broker's faults (stopped under
/// load, connections killed) losing nothing and duplicating no report.
/// </summary>
public sealed class RabbitMqServiceTests(OwnRabbitMq own) : IClassFixture<OwnRabbitMq>
{
    private const string Example = "example-definite-ulnar-forearm";

    private static string Bundle(string suffix) => ServiceCalls.Example(Example + ".json").Replace(Example, Example + suffix, StringComparison.Ordinal);

    private static ServiceFactory Service(RabbitMqBroker broker, string queue) => new(new()
    {
        ["Messaging:Transport"] = "RabbitMQ",
        ["Messaging:RabbitMQ:Uri"] = broker.Address.ToString(),
        ["Messaging:RabbitMQ:QueueName"] = queue,
        ["FhirMmn:Concurrency"] = "4",
    });

    private static string NewQueue() => "service-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task PublishAsync(RabbitMqBroker broker, string queue, byte[] body, string contentType)
    {
        await using var connection = await new ConnectionFactory { Uri = broker.Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = contentType,
            CorrelationId = "hospital-1",
            Headers = new Dictionary<string, object?> { ["feed"] = "default" },
        };
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body);
    }

    /// <summary>Polls GET /messages/{id} (404 until the consumer has seen a published message) until it is settled.</summary>
    private static async Task<JsonElement> SettledAsync(HttpClient client, string id, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/messages/{id}", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                if (status.GetProperty("state").GetString() is "completed" or "dead-lettered")
                {
                    return status;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"message {id} not settled in time ({(int)response.StatusCode})");
            await Task.Delay(100);
        }
    }

    private static async Task AssertOneReportAsync(HttpClient client, string suffix)
    {
        var reports = await client.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/pat-{Example}{suffix}");
        Assert.Equal(1, reports.GetProperty("total").GetInt32());
        Assert.Equal("1", reports.GetProperty("entry")[0].GetProperty("resource").GetProperty("meta").GetProperty("versionId").GetString());
    }

    [Fact]
    public async Task Bundles_over_http_and_straight_onto_the_queue_are_both_assessed_and_a_malformed_one_is_dead_lettered_with_its_reason()
    {
        var broker = await RabbitMqBroker.Shared();
        var queue = NewQueue();
        using var service = Service(broker, queue);
        var client = service.CreateClient();

        var overHttp = await client.PostAsync(Bundle("-h"));
        Assert.Equal("completed", (await SettledAsync(client, overHttp, TimeSpan.FromSeconds(60))).GetProperty("state").GetString());

        var published = Encoding.UTF8.GetBytes(Bundle("-p"));
        await PublishAsync(broker, queue, published, "application/fhir+json");
        var publishedStatus = await SettledAsync(client, BrokerLedger.DigestId("default", published), TimeSpan.FromSeconds(60));
        Assert.Equal("completed", publishedStatus.GetProperty("state").GetString());
        Assert.Contains(publishedStatus.GetProperty("written").EnumerateArray(), w => w.GetString()!.StartsWith("DiagnosticReport/", StringComparison.Ordinal));

        var malformed = Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":{\"resourceType\":\"Observation\"}}]}");
        await PublishAsync(broker, queue, malformed, "application/fhir+json");
        var refused = await SettledAsync(client, BrokerLedger.DigestId("default", malformed), TimeSpan.FromSeconds(60));
        Assert.Equal("dead-lettered", refused.GetProperty("state").GetString());
        Assert.Equal("OperationOutcome", refused.GetProperty("outcome").GetProperty("resourceType").GetString());

        await using var connection = await new ConnectionFactory { Uri = broker.Uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = await channel.BasicGetAsync(queue + ".dead-letter", autoAck: true);
        Assert.NotNull(dead);
        Assert.Equal(malformed, dead.Body.ToArray());
        var reason = Encoding.UTF8.GetString((byte[])dead.BasicProperties.Headers![BrokerEdge.ReasonProperty]!);
        Assert.Equal(refused.GetProperty("outcome").GetProperty("issue")[0].GetProperty("code").GetString(), reason);

        // The same bundle again is the same message: nothing new is written.
        Assert.Equal(overHttp, await client.PostAsync(Bundle("-h")));
        await AssertOneReportAsync(client, "-h");
        await AssertOneReportAsync(client, "-p");
    }

    [Fact]
    public async Task The_broker_stopped_under_load_loses_no_accepted_bundle_and_duplicates_no_report()
    {
        var queue = NewQueue();
        using var service = Service(own.Broker, queue);
        var client = service.CreateClient();
        const int Patients = 12;
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<int, string>();
        var refusedWhileDown = 0;
        var restarted = false;

        // Bundles go on arriving, one every half second, until the broker is back and a few more were taken.
        var traffic = Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                // A hospital sends again what was refused, until it is accepted.
                while (true)
                {
                    using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), ServiceCalls.Bundle(Bundle($"-s{i}")));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        accepted[i] = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                        break;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.True(response.Headers.RetryAfter is not null, "a 503 says when to come back");
                    Assert.Equal("OperationOutcome", JsonDocument.Parse(body).RootElement.GetProperty("resourceType").GetString());
                    Interlocked.Increment(ref refusedWhileDown);
                    await Task.Delay(500);
                }

                await Task.Delay(500);
                if (Volatile.Read(ref restarted) && i >= Patients)
                {
                    break;
                }
            }
        });

        await UntilAsync(() => accepted.Count >= 3, TimeSpan.FromSeconds(60));
        await own.Broker.StopAppAsync();
        await Task.Delay(TimeSpan.FromSeconds(20));
        await own.Broker.StartAppAsync();
        Volatile.Write(ref restarted, true);
        await traffic.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(refusedWhileDown > 0, "the intake answered 503 while the broker was down");
        foreach (var (i, id) in accepted)
        {
            Assert.Equal("completed", (await SettledAsync(client, id, TimeSpan.FromSeconds(90))).GetProperty("state").GetString());
            await AssertOneReportAsync(client, $"-s{i}");
        }
    }

    [Fact]
    public async Task Connections_killed_mid_batch_lose_nothing_and_duplicate_no_report()
    {
        var queue = NewQueue();
        using var service = Service(own.Broker, queue);
        var client = service.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await client.PostAsync(Bundle($"-c{i}")));
        }

        await own.Broker.CloseConnectionsAsync();

        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal("completed", (await SettledAsync(client, ids[i], TimeSpan.FromSeconds(90))).GetProperty("state").GetString());
            await AssertOneReportAsync(client, $"-c{i}");
        }
    }

    private static async Task UntilAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
