using System.Text.Json;
using FhirMmn.Fhir;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Client;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using Microsoft.Extensions.Options;
using Bundle = Hl7.Fhir.Model.Bundle;
using CarePlan = Hl7.Fhir.Model.CarePlan;
using DiagnosticReport = Hl7.Fhir.Model.DiagnosticReport;
using Resource = Hl7.Fhir.Model.Resource;

namespace FhirMmn.Service.FhirServer;

/// <summary>What the target holds of an assessment now: versions to match, and our digest if we wrote it.</summary>
public sealed record TargetState(
    string? ReportReference,
    string? ReportVersion,
    string? ReportDigest,
    string? PlanReference,
    string? PlanVersion,
    string? ReportStatus = null);

/// <summary>Where write-backs go: the hospital's FHIR server, the embedded store, or nowhere (benchmarks).</summary>
public interface IWriteBackTarget
{
    /// <summary>The base URL results on this target are referenced against; null when none.</summary>
    string? ServerBase { get; }

    /// <summary>
    /// Names this target in what the service records of its writes ("embedded", or the server's base URL): what was
    /// recorded for one target says nothing about another, for instance after FhirServer:BaseUrl was set or changed.
    /// </summary>
    string Identity { get; }

    Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken);

    /// <summary>Writes the transaction; returns the versioned references written.</summary>
    Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken);

    /// <summary>The id of the target's one Patient with this identifier (<c>Patient?identifier=</c>); null when none, or when the target keeps no patients.</summary>
    Task<string?> FindPatientAsync(string system, string value, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>
/// The write-back target of each feed, for one scope: the feed's FHIR server (FhirMmn:WriteBack auto with the feed's
/// FhirServer:BaseUrl set), else the embedded store, filed under the feed. The single feed's target is the scope's
/// IWriteBackTarget (which a test may replace).
/// </summary>
public sealed class WriteBackTargets(IServiceProvider scope) : IDisposable
{
    private readonly List<IDisposable> made = [];

    public IWriteBackTarget For(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (feed.FromSingleFeedKeys)
        {
            return scope.GetRequiredService<IWriteBackTarget>();
        }

        var target = Make(scope, feed);
        if (target is IDisposable disposable)
        {
            made.Add(disposable);
        }

        return target;
    }

    public static IWriteBackTarget Make(IServiceProvider provider, Feed feed)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(feed);
        var mode = provider.GetRequiredService<IOptions<FhirMmnOptions>>().Value.WriteBack;
        return mode switch
        {
            "null" => new NullTarget(),
            "auto" when feed.Server.BaseUrl is not null => new FhirServerTarget(provider.GetRequiredService<FhirServerClients>().Create(feed)),
            _ => new EmbeddedTarget(provider.GetRequiredService<ResourceStore>(), feed.Name),
        };
    }

    public void Dispose()
    {
        foreach (var target in made)
        {
            target.Dispose();
        }
    }
}

/// <summary>The digest of the evidence a report was made from: its meta.tag of the evidence-digest system.</summary>
internal static class Digests
{
    public static string? Of(Resource? resource) =>
        resource?.Meta?.Tag.FirstOrDefault(t => t.System == Contract.EvidenceDigestSystem)?.Code;

    /// <summary>The status of a resource as the embedded store keeps it.</summary>
    public static string? StatusOfJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("status", out var status) ? status.GetString() : null;
    }

    /// <summary>The same, from a report as the embedded store keeps it (the JSON it wrote).</summary>
    public static string? OfJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("meta", out var meta) || !meta.TryGetProperty("tag", out var tags))
        {
            return null;
        }

        foreach (var tag in tags.EnumerateArray())
        {
            if (tag.TryGetProperty("system", out var system) && system.ValueEquals(Contract.EvidenceDigestSystem) && tag.TryGetProperty("code", out var code))
            {
                return code.GetString();
            }
        }

        return null;
    }
}

/// <summary>The hospital's FHIR server, through the resilient, authenticated client (Firely's, over the service's handlers).</summary>
public sealed class FhirServerTarget(FhirServerClient client) : IWriteBackTarget, IDisposable
{
    public string? ServerBase => client.BaseAddress.ToString().TrimEnd('/');

    public string Identity => ServerBase!;

    public async Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken)
    {
        var report = await client.SearchOneAsync<DiagnosticReport>("DiagnosticReport",
            SearchQueries.Identifier(Contract.AssessmentIdentifierSystem, assessmentIdentifier), cancellationToken).ConfigureAwait(false);
        var plan = await client.SearchOneAsync<CarePlan>("CarePlan",
            SearchQueries.Identifier(Contract.CarePlanIdentifierSystem, carePlanIdentifier), cancellationToken).ConfigureAwait(false);
        return new TargetState(
            report is null ? null : $"DiagnosticReport/{report.Id}",
            report?.Meta?.VersionId,
            Digests.Of(report),
            plan is null ? null : $"CarePlan/{plan.Id}",
            plan?.Meta?.VersionId,
            report?.Status is { } status ? Hl7.Fhir.Utility.EnumUtility.GetLiteral(status) : null);
    }

    public Task<string?> FindPatientAsync(string system, string value, CancellationToken cancellationToken) =>
        client.FindPatientAsync(system, value, cancellationToken);

    public async Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken)
    {
        var response = await client.TransactionAsync(transaction, cancellationToken).ConfigureAwait(false);
        return response.Entry
            .Select(e => e.Response?.Location)
            .OfType<string>()
            .Select(Relative)
            .ToList();
    }

    public void Dispose() => client.Dispose();

    private string Relative(string location) =>
        ServerBase is { } serverBase && location.StartsWith(serverBase + "/", StringComparison.OrdinalIgnoreCase)
            ? location[(serverBase.Length + 1)..]
            : location;
}

/// <summary>The embedded store: the results are kept here and served under /fhir.</summary>
public sealed class EmbeddedTarget(ResourceStore store, string feed) : IWriteBackTarget
{
    public string? ServerBase => null;

    public string Identity => "embedded";

    public Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken)
    {
        var report = store.FindByIdentifier(feed, "DiagnosticReport", Contract.AssessmentIdentifierSystem, assessmentIdentifier);
        var plan = store.FindByIdentifier(feed, "CarePlan", Contract.CarePlanIdentifierSystem, carePlanIdentifier);
        return Task.FromResult(new TargetState(
            report?.Reference,
            report?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            report is null ? null : Digests.OfJson(report.Json),
            plan?.Reference,
            plan?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            report is null ? null : Digests.StatusOfJson(report.Json)));
    }

    public Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken) =>
        store.ApplyAsync(feed, transaction, cancellationToken);
}

/// <summary>Writes nothing: for measuring the service's own ceiling, never for production.</summary>
public sealed class NullTarget : IWriteBackTarget
{
    public string? ServerBase => null;

    public string Identity => "null";

    public Task<TargetState> ReadAsync(string assessmentIdentifier, string carePlanIdentifier, CancellationToken cancellationToken) =>
        Task.FromResult(new TargetState(null, null, null, null, null));

    public Task<IReadOnlyList<string>> WriteAsync(Bundle transaction, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
