using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FhirMmn.Service.Hosting;

/// <summary>Ready when the store answers a query and has not failed to flush.</summary>
internal sealed class StoreHealthCheck(Database database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (database.FlushFailed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The store failed to flush to disk; restart the service."));
        }

        try
        {
            using var connection = database.OpenReader();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM messages WHERE state IN ('queued', 'processing')";
            var backlog = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(HealthCheckResult.Healthy($"{backlog} message(s) waiting or in progress."));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The store does not answer."));
        }
    }
}

/// <summary>Ready when the configured FHIR server answers its capability statement (always, with the embedded store).</summary>
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
            : HealthCheckResult.Unhealthy("The FHIR server does not answer.");
    }
}
