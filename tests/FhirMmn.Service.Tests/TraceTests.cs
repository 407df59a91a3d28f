using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OpenTelemetry.Trace;

namespace FhirMmn.Service.Tests;

/// <summary>
/// One trace from the intake through the queue to the write-back, against the real FHIR server process: the intake's
/// traceparent is stored with the message, the processing span is its child, the FHIR server calls are the
/// processing's children; no span carries a query string or a path.
/// </summary>
public sealed class TraceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-trace-").FullName;
    private readonly List<IDisposable> started = [];

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(started))
        {
            item.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    [Fact]
    public async Task The_intake_the_queued_processing_and_the_write_back_are_one_trace_without_query_strings_or_paths()
    {
        var (bundleFor, seedFile) = FhirServerProcess.Rebase("example-definite-ulnar-forearm.json", folder, "-trace");
        var server = FhirServerProcess.Start(seedFile);
        started.Add(server);
        var spans = new List<Activity>();
        var service = new ServiceFactory(
            new() { ["FhirServer:BaseUrl"] = server.BaseUrl.ToString() },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        started.Add(service);
        var client = service.CreateClient();

        var id = await client.PostAsync(bundleFor(server.BaseUrl));
        Assert.Equal("completed", (await client.SettledAsync(id)).GetProperty("state").GetString());
        Activity? processing = null;
        for (var i = 0; i < 100 && processing is null; i++)
        {
            processing = Snapshot(spans).FirstOrDefault(s => s.OperationName == "process message" && (s.GetTagItem("messaging.message.id") as string) == id);
            await Task.Delay(50);
        }

        Assert.NotNull(processing);
        var trace = Snapshot(spans).Where(s => s.TraceId == processing.TraceId).ToList();
        var intake = Assert.Single(trace, s => s.Kind == ActivityKind.Server);
        Assert.Equal(intake.SpanId, processing.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, processing.Kind);
        Assert.Equal("POST /fhir/Bundle", intake.DisplayName);
        Assert.Equal("/fhir/Bundle", intake.GetTagItem("url.path"));
        var calls = trace.Where(s => s.Kind == ActivityKind.Client).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, call => Assert.Equal(processing.SpanId, call.ParentSpanId));
        Assert.All(calls, call => Assert.Equal(server.BaseUrl.GetLeftPart(UriPartial.Authority) + "/", call.GetTagItem("url.full")));
        Assert.All(Snapshot(spans), span =>
        {
            Assert.Null(span.GetTagItem("url.query"));
            Assert.DoesNotContain(span.TagObjects, tag => tag.Value is string text && text.Contains('?', StringComparison.Ordinal));
        });

        using var connection = new SqliteConnection($"Data Source={Path.Combine(service.DataDirectory, "fhirmmn.db")};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT trace_parent FROM messages WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal($"00-{intake.TraceId}-{intake.SpanId}-01", command.ExecuteScalar() as string);
    }
}
