using FhirMmn.Fhir.CodeMaps;
using FhirMmn.Service.Hosting;

namespace FhirMmn.Service.Feeds;

/// <summary>
/// One feed as the service runs it: its settings checked, its secrets resolved (kept in memory only, never printed),
/// its code maps read. A feed is data, not a type: every part of the service that differs per feed asks this.
/// </summary>
public sealed record Feed
{
    public required string Name { get; init; }

    /// <summary>The value a token's feed claim must carry to act for this feed.</summary>
    public required string FeedClaimValue { get; init; }

    /// <summary>The client id of tokens without a feed claim that act for this feed; null: none.</summary>
    public string? ClientId { get; init; }

    /// <summary>The feed's FHIR server; BaseUrl null: the embedded store keeps its results.</summary>
    public required FhirServerOptions Server { get; init; }

    /// <summary>The secret the feed's Auth needs (token, client secret or private key), resolved; null when none.</summary>
    public string? Secret { get; init; }

    public CodeMap CodeMap { get; init; } = CodeMap.None;

    public string? PatientIdentifierSystem { get; init; }

    public TimeSpan EpisodeGap { get; init; } = TimeSpan.FromDays(182);

    public string ReportStatus { get; init; } = "preliminary";

    public string CarePlanStatus { get; init; } = "draft";

    /// <summary>Made from the single-feed keys (FhirMmn:Feed, FhirServer:*) rather than a Feeds:{name} block.</summary>
    public bool FromSingleFeedKeys { get; init; }

    /// <summary>The named HttpClient of the feed's FHIR server: the single feed keeps the name it always had.</summary>
    public string ClientName => FromSingleFeedKeys ? ServiceRegistration.FhirServerClient : ClientNameOf(Name);

    public static string ClientNameOf(string feed) => $"{ServiceRegistration.FhirServerClient}:{feed}";
}
