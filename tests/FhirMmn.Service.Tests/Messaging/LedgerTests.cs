using System.Text;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>The broker ledger shares the messages table with the embedded queue without getting in its way.</summary>
public sealed class LedgerTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-ledger-").FullName;
    private Database database = null!;

    public Task InitializeAsync()
    {
        database = new Database(Microsoft.Extensions.Options.Options.Create(new FhirMmnOptions { DataDirectory = folder }), new Environment(folder), NullLogger<Database>.Instance);
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_embedded_queue_never_takes_a_brokers_queued_row_and_its_receive_still_reads_the_ready_index()
    {
        var ledger = new BrokerLedger(database, TimeProvider.System);
        using var embedded = new SqliteTransport(database, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new FhirMmnOptions { DataDirectory = folder }));
        var body = Encoding.UTF8.GetBytes("{}");
        var brokerId = BrokerLedger.DigestId("default", body);
        await ledger.RecordQueuedAsync(new OutgoingMessage(brokerId, "default", body, "c1"), "rabbitmq", CancellationToken.None);
        var embeddedId = MessageIds.New();
        await embedded.EnqueueAsync(embeddedId, "default", body, "c2", CancellationToken.None);

        var received = await embedded.ReceiveAsync(10, CancellationToken.None);

        Assert.Equal(embeddedId, Assert.Single(received).Id);
        Assert.False(await embedded.ResubmitAsync(brokerId, CancellationToken.None));
        using var connection = database.OpenReader();
        using var plan = connection.CreateCommand();
        plan.CommandText = """
            EXPLAIN QUERY PLAN
            SELECT sequence, due_at FROM messages WHERE state = 'queued' AND due_at <= 0 AND transport = 'embedded'
             ORDER BY due_at, sequence LIMIT 10
            """;
        using var reader = plan.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }

        Assert.Contains(steps, s => s.Contains("USING INDEX messages_ready", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_without_the_transport_column_gets_it_in_place_and_its_rows_are_the_embedded_queues()
    {
        await database.DisposeAsync();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "fhirmmn.db")};Pooling=false"))
        {
            connection.Open();
            Database.Execute(connection, """
                INSERT INTO messages (id, feed, correlation_id, received_at, state, due_at) VALUES ('old', 'default', 'c', 0, 'queued', 0);
                INSERT INTO message_bodies (id, body) VALUES ('old', x'7b7d');
                ALTER TABLE messages DROP COLUMN transport;
                """);
        }

        database = new Database(Microsoft.Extensions.Options.Options.Create(new FhirMmnOptions { DataDirectory = folder }), new Environment(folder), NullLogger<Database>.Instance);
        using var embedded = new SqliteTransport(database, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new FhirMmnOptions { DataDirectory = folder }));

        Assert.Equal("old", Assert.Single(await embedded.ReceiveAsync(10, CancellationToken.None)).Id);
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "FhirMmn.Service.Tests";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
