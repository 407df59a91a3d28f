using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The store over time: the previous layout is upgraded in place, an unknown one is refused, and completed messages
/// are deleted after the retention while the evidence they brought stays.
/// </summary>
public sealed class StoreLayoutTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-layout-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private string DatabaseFile => Path.Combine(folder, "fhirmmn.db");

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task A_store_of_layout_2_is_upgraded_and_its_episodes_are_read_from_the_target_before_trusting_them()
    {
        var bundle = ServiceCalls.Example("example-definite-ulnar-forearm.json");
        using (var before = new ServiceFactory(dataDirectory: folder))
        {
            var client = before.CreateClient();
            await client.SettledAsync(await client.PostAsync(bundle));
        }

        // What a store written by the previous layout looks like: no target column.
        SqliteConnection.ClearAllPools();
        Execute("ALTER TABLE episodes DROP COLUMN target; PRAGMA user_version = 2;");

        using var after = new ServiceFactory(dataDirectory: folder);
        var service = after.CreateClient();
        var again = await service.SettledAsync(await service.PostAsync(bundle));

        Assert.Equal("completed", again.GetProperty("state").GetString());
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
        Assert.Contains(after.Logs.Events, m => m.Contains("already written by an earlier delivery", StringComparison.Ordinal));
        var reports = await service.GetJsonAsync("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm");
        Assert.Equal(1, reports.GetProperty("total").GetInt32());
        Assert.Equal("1", reports.GetProperty("entry")[0].GetProperty("resource").GetProperty("meta").GetProperty("versionId").GetString());
        Assert.Equal(4L, Scalar("PRAGMA user_version"));
        Assert.Equal("embedded", Scalar("SELECT target FROM episodes"));
    }

    [Fact]
    public async Task A_store_of_layout_3_holding_one_patient_twice_is_linked_and_a_merge_message_keeps_one_report_and_withdraws_the_other()
    {
        using (var before = new ServiceFactory(dataDirectory: folder))
        {
            var client = before.CreateClient();
            await client.SettledAsync(await client.PostAsync(PatientAliasTests.WithoutEntry7()));
            await client.SettledAsync(await client.PostAsync(PatientAliasTests.Entry7ByIdentifierOnly()));
        }

        // What layout 3 held after the reproduction: two records, the second keyed by the MRN with the Patient's id
        // in its identity, no aliases, no links.
        SqliteConnection.ClearAllPools();
        Execute($$"""
            UPDATE patients SET identity = json_set(identity, '$.ResourceId', '{{PatientAliasTests.Patient}}') WHERE patient LIKE 'identifier|%';
            UPDATE patients SET identity = json_remove(identity, '$.Aliases');
            DROP TABLE patient_aliases;
            ALTER TABLE patients DROP COLUMN since;
            ALTER TABLE patients DROP COLUMN merged_into;
            PRAGMA user_version = 3;
            """);
        Assert.Equal(2L, Scalar("SELECT count(*) FROM patients"));

        using var after = new ServiceFactory(dataDirectory: folder);
        var service = after.CreateClient();
        Assert.Equal(4L, Scalar("PRAGMA user_version"));
        var merge = (string)Scalar("SELECT id FROM messages WHERE sequence = (SELECT max(sequence) FROM messages)")!;
        var settled = await service.SettledAsync(merge);

        Assert.Equal("completed", settled.GetProperty("state").GetString());
        var reports = FhirServerProcess.Resources(await service.GetJsonAsync($"/fhir/DiagnosticReport?subject=Patient/{PatientAliasTests.Patient}"));
        Assert.Equal(2, reports.Count);
        Assert.Equal("definite", ServiceCalls.Category(reports.Single(r => r.GetProperty("status").GetString() == "preliminary")));
        Assert.Single(reports, r => r.GetProperty("status").GetString() == "entered-in-error");
        Assert.Equal(1L, Scalar("SELECT count(*) FROM patients WHERE merged_into IS NOT NULL"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM results WHERE patient LIKE 'identifier|%'"));
        Assert.Equal(1L, Scalar("SELECT count(DISTINCT patient) FROM patient_aliases"));

        // The next bundle of either name finds the kept record: nothing new to write.
        var again = await service.SettledAsync(await service.PostAsync(PatientAliasTests.Entry7ByIdentifierOnly()));
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
    }

    [Fact]
    public async Task A_message_completed_longer_ago_than_the_retention_is_deleted_by_the_running_service_and_its_evidence_stays()
    {
        string id;
        using (var before = new ServiceFactory(dataDirectory: folder))
        {
            var client = before.CreateClient();
            id = await client.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json"));
            await client.SettledAsync(id);
        }

        var clock = new QueueTests.ShiftedClock { Shift = TimeSpan.FromDays(31) };
        using var later = new ServiceFactory(services: services => services.AddSingleton<TimeProvider>(clock), dataDirectory: folder);
        var service = later.CreateClient();
        var gone = false;
        for (var i = 0; i < 100 && !gone; i++)
        {
            using var status = await service.GetAsync(new Uri($"/messages/{id}", UriKind.Relative));
            gone = status.StatusCode == HttpStatusCode.NotFound;
            await Task.Delay(gone ? 0 : 100);
        }

        Assert.True(gone, "the message was not deleted");
        Assert.Equal(0L, Scalar("SELECT count(*) FROM message_bodies"));
        Assert.Equal(1L, Scalar("SELECT count(*) FROM results"));
        Assert.Equal(1, (await service.GetJsonAsync("/fhir/DiagnosticReport?subject=Patient/pat-example-definite-ulnar-forearm")).GetProperty("total").GetInt32());
        var again = await service.SettledAsync(await service.PostAsync(ServiceCalls.Example("example-definite-ulnar-forearm.json")));
        Assert.Equal(0, again.GetProperty("written").GetArrayLength());
    }

    [Fact]
    public void A_store_of_an_unknown_layout_is_not_opened_and_the_message_names_the_setting()
    {
        Execute("CREATE TABLE messages (sequence INTEGER PRIMARY KEY); PRAGMA user_version = 1;");
        var options = Options.Create(new FhirMmnOptions { DataDirectory = folder });

        var error = Assert.Throws<InvalidOperationException>(() => new Database(options, new QueueTests.Environment(folder), NullLogger<Database>.Instance));

        Assert.Contains("FhirMmn:DataDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, Scalar("PRAGMA user_version"));
    }
}
