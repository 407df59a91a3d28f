using System.Text.Json;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Client;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using FhirMmn.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The embedded store applies the write-back transaction (Firely's Bundle) as a FHIR server would: conditional
/// creates and updates, ifMatch, urn:uuid references resolved; it keeps each resource as Firely writes it, with the
/// server's id and meta first.
/// </summary>
public sealed class ResourceStoreTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-02T08:30:00.250Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-store-").FullName;
    private readonly Database database;
    private readonly ResourceStore store;

    public ResourceStoreTests()
    {
        var options = Options.Create(new FhirMmnOptions { DataDirectory = folder });
        database = new Database(options, new QueueTests.Environment(folder), NullLogger<Database>.Instance);
        store = new ResourceStore(database, new FixedClock(Now));
    }

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private static WriteBack WriteBackOf(string example, string? reportIfMatch = null)
    {
        var read = FeedReader.Read(File.ReadAllBytes(Repository.PathOf("examples", example)));
        Assert.True(read.Accepted, example);
        return Assessor.Assess(read.Bundle!.Patient, read.Bundle.Observations, (evidence, assessment) => new WriteBackRequest
        {
            Feed = "default",
            Patient = read.Bundle.Patient,
            Evidence = evidence,
            Assessment = assessment,
            Time = Now,
            ReportIfMatch = reportIfMatch,
        }).WriteBack;
    }

    private JsonElement Stored(string reference)
    {
        var (type, id) = (reference.Split('/')[0], reference.Split('/')[1]);
        var found = store.Read("default", type, id);
        Assert.NotNull(found);
        return JsonDocument.Parse(found.Json).RootElement.Clone();
    }

    [Fact]
    public async Task A_transaction_is_stored_with_its_references_resolved_and_the_servers_id_and_meta_first()
    {
        var written = await store.ApplyAsync("default", WriteBackOf("example-peroneal-transaction.json").Transaction, CancellationToken.None);

        Assert.Equal(1 + 15 + 3, written.Count);
        Assert.All(written, w => Assert.EndsWith("/_history/1", w, StringComparison.Ordinal));
        var report = Stored(written.Single(w => w.StartsWith("DiagnosticReport/", StringComparison.Ordinal)));
        Assert.Equal(["resourceType", "id", "meta"], report.EnumerateObject().Take(3).Select(p => p.Name));
        Assert.Equal("1", report.GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal("2026-11-02T08:30:00.250Z", report.GetProperty("meta").GetProperty("lastUpdated").GetString());
        var results = report.GetProperty("result").EnumerateArray().Select(r => r.GetProperty("reference").GetString()!).ToList();
        Assert.Equal(15, results.Count);
        Assert.All(results, r => Assert.Contains(written, w => w.StartsWith(r + "/", StringComparison.Ordinal)));
        var provenance = Stored(written.Single(w => w.StartsWith("Provenance/", StringComparison.Ordinal)));
        Assert.DoesNotContain("urn:uuid:", provenance.GetRawText(), StringComparison.Ordinal);
        Assert.StartsWith("Device/", provenance.GetProperty("agent")[0].GetProperty("who").GetProperty("reference").GetString(), StringComparison.Ordinal);
        var created = Stored(results[0]);
        Assert.Equal(
            store.FindByIdentifier("default", "Observation", created.GetProperty("identifier")[0].GetProperty("system").GetString()!, created.GetProperty("identifier")[0].GetProperty("value").GetString()!)!.Id,
            created.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_same_transaction_again_versions_report_and_plan_and_creates_nothing_twice()
    {
        var first = await store.ApplyAsync("default", WriteBackOf("example-peroneal-transaction.json").Transaction, CancellationToken.None);

        var second = await store.ApplyAsync("default", WriteBackOf("example-peroneal-transaction.json", reportIfMatch: "W/\"1\"").Transaction, CancellationToken.None);

        Assert.Equal(19, first.Count);
        Assert.Equal(
            [first.Single(w => w.StartsWith("DiagnosticReport/", StringComparison.Ordinal)).Replace("/_history/1", "/_history/2", StringComparison.Ordinal),
             first.Single(w => w.StartsWith("CarePlan/", StringComparison.Ordinal)).Replace("/_history/1", "/_history/2", StringComparison.Ordinal)],
            second);
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_with_412_and_writes_nothing()
    {
        await store.ApplyAsync("default", WriteBackOf("example-definite-ulnar-forearm.json").Transaction, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FhirServerException>(() =>
            store.ApplyAsync("default", WriteBackOf("example-definite-ulnar-forearm.json", reportIfMatch: "W/\"7\"").Transaction, CancellationToken.None));

        Assert.True(error.IsConflict);
        var report = Assert.Single(store.Search("default", "DiagnosticReport", "Patient/pat-example-definite-ulnar-forearm", null, 10).Resources);
        Assert.Equal(1, report.Version);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
