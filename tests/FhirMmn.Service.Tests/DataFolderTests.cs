using FhirMmn.Service.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A data folder the store cannot use stops the start with one line that names FhirMmn:DataDirectory and the path
/// (an OptionsValidationException, like every other setting that stops the start), before anything listens.
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("fhirmmn-folder-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_read_only_data_folder_stops_the_start_with_one_line_naming_the_key_and_the_path()
    {
        using var readOnly = Mount.Tmpfs(1024 * 1024, readOnly: true);

        var error = await StartAsync(readOnly.Path);

        AssertOneLineNaming(error, readOnly.Path);
        Assert.Contains("read-only file system", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_folder_that_cannot_be_created_stops_the_start_with_one_line_naming_the_key_and_the_path()
    {
        var file = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        var wanted = Path.Combine(file, "data");

        var error = await StartAsync(wanted);

        AssertOneLineNaming(error, wanted);
        Assert.Contains("cannot be created", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_data_folder_that_can_be_created_is_created_and_the_service_starts()
    {
        var wanted = Path.Combine(folder, "new", "data");

        Assert.Null(await StartAsync(wanted));
        Assert.True(File.Exists(Path.Combine(wanted, "fhirmmn.db")));
        Assert.Equal(["fhirmmn.db"], Directory.GetFiles(wanted).Select(Path.GetFileName).Where(f => !f!.StartsWith("fhirmmn.db-", StringComparison.Ordinal)));
    }

    private static void AssertOneLineNaming(Exception? error, string path)
    {
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("FhirMmn:DataDirectory", validation.Message, StringComparison.Ordinal);
        Assert.Contains(path, validation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', validation.Message);
        Assert.Single(validation.Failures);
    }

    private async Task<Exception?> StartAsync(string dataDirectory)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FhirMmn:DataDirectory"] = dataDirectory,
            ["Security:RequireToken"] = "false",
            ["urls"] = "http://127.0.0.1:0",
        });
        var error = await Record.ExceptionAsync(async () =>
        {
            builder.AddFhirMmn();
            await using var app = builder.Build();
            app.UseFhirMmn();
            await app.StartAsync();
            await app.StopAsync();
        });
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return error;
    }
}
