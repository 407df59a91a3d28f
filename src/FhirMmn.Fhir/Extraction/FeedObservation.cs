using System.Text.Json.Serialization;
using FhirMmn.Domain;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Extraction;

/// <summary>
/// Where an Observation lives and how the write-back refers to it. <see cref="Key"/> is stable across
/// versions and bundles: the RESTful URL without version, or the business identifier.
/// </summary>
public sealed record ObservationIdentity(
    string Key,
    string? ServerBase,
    string? ResourceId,
    string? VersionId,
    Identifier? Identifier)
{
    /// <summary>True when the hospital server holds it; false when the write-back must create it.</summary>
    public bool OnServer => ResourceId is not null;
}

/// <summary>The clinical content of one contract Observation, in the domain's units.</summary>
public abstract record Reading;

public sealed record CmapReading(
    MotorNerve Nerve, Side Side, StimulationSite Site, decimal? AmplitudeMv, decimal? AreaMvMs, decimal? DurationMs,
    decimal? LowerLimitMv, string StudyGroup) : Reading
{
    /// <summary>
    /// The onset latency in ms, when sent: for the report only, the criteria do not use it. Internal (stored by
    /// <see cref="FeedObservationJson"/> all the same) so that the record's printed form, which the evidence digest
    /// is made of, stays what it was for results without it; <see cref="EvidenceAssembler"/> adds it to the digest
    /// when it is present, since the report shows it.
    /// </summary>
    [JsonInclude]
    internal decimal? OnsetLatencyMs { get; init; }
}

/// <summary>A SNAP; <paramref name="Site"/> the stimulation site when the feed sent one (a segmental SNAP unless it is the wrist).</summary>
public sealed record SnapReading(SensoryNerve Nerve, Side Side, decimal? AmplitudeUv, decimal? LowerLimitUv, StimulationSite? Site = null) : Reading;

public sealed record AntiGm1Reading(AntiGm1Result Result) : Reading;

public enum ClinicalCode
{
    WeaknessNerveCount,
    WeaknessDuration,
    ObjectiveSensoryLoss,
    UpperMotorNeuronSigns,
    MarkedBulbarInvolvement,
    DiffuseSymmetricWeaknessEarly,
    IvigResponse,
    MriPlexusT2Hyperintensity,
    CsfProtein,
}

/// <summary>A clinical finding; exactly the value its code takes is set.</summary>
public sealed record ClinicalReading(
    ClinicalCode Code, int? Count = null, bool? Present = null, Measured? Days = null, Measured? GramsPerLitre = null,
    decimal? UpperLimitGramsPerLitre = null) : Reading;

/// <summary>
/// One Observation of the feed contract as FhirMmn keeps it: identity, status, time, reading, and for
/// results the write-back must create (urn:uuid), the JSON as the hospital sent it.
/// </summary>
public sealed record FeedObservation
{
    public required ObservationIdentity Identity { get; init; }

    /// <summary>The FHIR status code (final, amended, corrected, preliminary, entered-in-error, ...).</summary>
    public required string Status { get; init; }

    /// <summary>The effective time as FHIR gave it (effective[x] or issued).</summary>
    public required string EffectiveText { get; init; }

    /// <summary>The effective time as an instant, for ordering (a date counts from its midnight, UTC).</summary>
    public required DateTimeOffset Effective { get; init; }

    /// <summary>What the Observation says; null for entered-in-error, whose content is not read.</summary>
    public Reading? Reading { get; init; }

    /// <summary>For results not on the hospital server: the Observation's JSON, to be created by the write-back.</summary>
    public string? Json { get; init; }

    /// <summary>Order of arrival (bundle sequence, entry index): later wins between versions of one result.</summary>
    public long Arrival { get; init; }

    public bool IsUsable => Status is "final" or "amended" or "corrected";

    public bool IsEnteredInError => Status == "entered-in-error";
}
