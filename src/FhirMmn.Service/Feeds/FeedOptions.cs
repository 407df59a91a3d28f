using FhirMmn.Service.Hosting;

namespace FhirMmn.Service.Feeds;

/// <summary>
/// One feed (section "Feeds:{name}"): who may post to it, how its bundles are read, and what is written back for it.
/// Its FHIR server is the subsection Feeds:{name}:FhirServer (the keys of <see cref="FhirServerOptions"/>, secrets as
/// references env:NAME or file:PATH only); its code maps the list Feeds:{name}:CodeMaps (ConceptMap files). Each
/// property's rule is checked at start and stated in the README's configuration table.
/// </summary>
public sealed class FeedOptions
{
    public const string Section = "Feeds";

    /// <summary>The value of the token's feed claim (Security:FeedClaim) that posts to this feed and reads its results; default: the feed's name.</summary>
    [Word]
    public string? FeedClaimValue { get; set; }

    /// <summary>
    /// The client id of the tokens (their azp, client_id or appid claim) that post to this feed, for identity providers
    /// that cannot add a feed claim. A token with a feed claim is judged by that claim alone.
    /// </summary>
    [Word]
    public string? ClientId { get; set; }

    /// <summary>Key patients by the Patient identifier of this system (default: the first with system and value).</summary>
    [IdentifierSystem]
    public string? PatientIdentifierSystem { get; set; }

    /// <summary>New motor studies this long after the newest input of the last assessment open a new episode.</summary>
    [Duration("1.00:00:00", "3650.00:00:00")]
    public TimeSpan EpisodeGap { get; set; } = TimeSpan.FromDays(182);

    /// <summary>preliminary (default) or final: the status of the reports written.</summary>
    [OneOf("preliminary", "final")]
    public string ReportStatus { get; set; } = "preliminary";

    /// <summary>draft (default) or active: the status of the care plans written.</summary>
    [OneOf("draft", "active")]
    public string CarePlanStatus { get; set; } = "draft";

    /// <summary>ConceptMap files (R4 JSON) from the feed's local codes to the contract's; paths absolute or relative to the content root.</summary>
    public IList<string> CodeMaps { get; } = [];
}
