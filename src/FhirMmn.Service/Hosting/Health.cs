using System.Globalization;
using System.Text.Json;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// Ready when the store takes writes: its commits and flushes succeed and none has hung, and it answers a query.
/// Reads the writer's own state (no write per probe), so a load balancer may probe it as often as it likes.
/// </summary>
internal sealed class StoreHealthCheck(Database database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unhealthy = database.Condition switch
        {
            StoreCondition.Stopped => "The writer of the store stopped after an error; restart the service.",
            StoreCondition.FlushFailed => "The store failed to flush to disk; restart the service.",
            StoreCondition.Stalled => $"A write to the store has not finished for more than {database.StallAfter.TotalSeconds:0} s: the disk does not answer.",
            StoreCondition.Failing => $"Writes to the store failed in the last {database.FaultHold.TotalSeconds:0} s (a disk error or a full disk).",
            _ => null,
        };
        if (unhealthy is not null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(unhealthy));
        }

        try
        {
            using var connection = database.OpenReader();
            Database.Execute(connection, "PRAGMA busy_timeout = 1000;");
            using var command = connection.CreateCommand();
            command.CommandTimeout = 2;
            command.CommandText = "SELECT count(*) FROM messages WHERE state IN ('queued', 'processing')";
            var backlog = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            return Task.FromResult(HealthCheckResult.Healthy($"{backlog} message(s) waiting or in progress."));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The store does not answer."));
        }
    }
}

/// <summary>
/// Ready while the data folder's file system keeps a reserve free: without it the next bundles, and the queue's own
/// bookkeeping, could not be written. Failing before the disk is full takes the instance out of rotation while its
/// consumer can still work through what it has.
/// </summary>
internal sealed class DiskSpaceHealthCheck(Database database, IOptions<FhirMmnOptions> options) : IHealthCheck
{
    private const long MiB = 1024 * 1024;

    /// <summary>The reserve: 64 MiB, or room for eight bundles of the largest size accepted if that is more.</summary>
    public static long Reserve(FhirMmnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Max(64 * MiB, 8 * options.MaxBundleBytes);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reserve = Reserve(options.Value);
        long free;
        try
        {
            free = new DriveInfo(database.Folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The free space where the data folder is cannot be read."));
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{free / MiB} MiB free where the data folder is; {reserve / MiB} MiB are kept in reserve.");
        return Task.FromResult(free < reserve ? HealthCheckResult.Unhealthy(text) : HealthCheckResult.Healthy(text));
    }
}

/// <summary>Whether the configured FHIR server answers its capability statement (always healthy with the embedded store).</summary>
internal sealed class FhirServerHealthCheck(FhirServerClients clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!clients.Configured)
        {
            return HealthCheckResult.Healthy("No FHIR server configured: results go to the embedded store.");
        }

        using var client = clients.Create();
        return await client.IsAvailableAsync(cancellationToken).ConfigureAwait(false)
            ? HealthCheckResult.Healthy("The FHIR server answers.")
            : HealthCheckResult.Unhealthy("The FHIR server does not answer: results wait in the queue until it does.");
    }
}

/// <summary>
/// The health endpoints: <c>/health/live</c> (the process answers), <c>/health/ready</c> (this instance can accept and
/// store bundles: the store and its disk) and <c>/health/fhir-server</c> (the hospital's FHIR server, apart, so that
/// an outage there never takes an intake out of rotation when its queue is needed most).
/// </summary>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";
    public const string FhirServerTag = "fhir-server";

    /// <summary>A check that has not answered in this time counts as unhealthy, so a probe never waits long.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The FHIR server's check may take a little longer: it makes a request.</summary>
    public static readonly TimeSpan FhirServerTimeout = TimeSpan.FromSeconds(5);

    public static IHealthChecksBuilder AddFhirMmnHealthChecks(this IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag], timeout: CheckTimeout)
        .AddCheck<DiskSpaceHealthCheck>("disk", tags: [ReadyTag], timeout: CheckTimeout)
        .AddCheck<FhirServerHealthCheck>("fhir-server", tags: [FhirServerTag], timeout: FhirServerTimeout);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Options(_ => false));
        app.MapHealthChecks("/health/ready", Options(check => check.Tags.Contains(ReadyTag)));
        app.MapHealthChecks("/health/fhir-server", Options(check => check.Tags.Contains(FhirServerTag)));
    }

    private static Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions Options(Func<HealthCheckRegistration, bool> predicate) => new()
    {
        Predicate = predicate,
        ResponseWriter = WriteAsync,
        AllowCachingResponses = false,
    };

    /// <summary>
    /// <c>{"status": "Healthy"|"Degraded"|"Unhealthy", "checks": [{"name", "status", "description"}]}</c>: the checks'
    /// own descriptions (counts and states, never patient data), never an exception's text.
    /// </summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartArray("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteString("description", Description(entry));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }

    /// <summary>The framework's own description of a check that threw or timed out carries the exception's text: ours replaces it.</summary>
    private static string Description(HealthReportEntry entry) => entry.Exception switch
    {
        null => entry.Description ?? entry.Status.ToString(),
        OperationCanceledException => "The check did not answer in time.",
        _ => "The check failed.",
    };
}
