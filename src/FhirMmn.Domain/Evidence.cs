namespace FhirMmn.Domain;

/// <summary>
/// The CMAP recorded at one stimulation site. Values are in the units named; <c>null</c> means the
/// value was not reported. <paramref name="AmplitudeLowerLimitMv"/> is the lower limit of normal the
/// lab gave for the amplitude.
/// </summary>
public sealed record CmapSite(
    StimulationSite Site,
    decimal? AmplitudeMv,
    decimal? AreaMvMs,
    decimal? DurationMs,
    decimal? AmplitudeLowerLimitMv,
    string SourceId)
{
    /// <summary>The onset latency in ms, when sent: shown in the report beside the other values; the criteria do not use it.</summary>
    public decimal? OnsetLatencyMs { get; init; }
}

/// <summary>
/// One motor conduction study: the sites of one nerve on one side, recorded together. Each site
/// appears at most once; consecutive reported sites, distal to proximal, form the segments.
/// </summary>
public sealed record MotorStudy(string Id, MotorNerve Nerve, Side Side, IReadOnlyList<CmapSite> Sites);

/// <summary>
/// A sensory nerve action potential amplitude, in microvolts, with the lab's lower limit of normal.
/// <paramref name="Site"/> is the stimulation site when the lab gave one: none or the wrist is the
/// distal SNAP; a more proximal site makes a segmental SNAP, which tells whether sensory conduction
/// crosses a block at or distal to that site (criteria revision 2 item 4, docs/criteria.md).
/// </summary>
public sealed record SnapResult(
    SensoryNerve Nerve, Side Side, decimal? AmplitudeUv, decimal? LowerLimitUv, string SourceId, StimulationSite? Site = null)
{
    /// <summary>Whether this is the distal SNAP of its nerve (<see cref="Vocabulary.IsDistalSnapSite"/>).</summary>
    public bool IsDistal => Nerve.IsDistalSnapSite(Site);

    /// <summary>The site that tells SNAPs of one nerve and side apart: null for the distal SNAP.</summary>
    public StimulationSite? Slot => IsDistal ? null : Site;

    internal bool IsComplete => AmplitudeUv is not null && LowerLimitUv is not null;

    internal bool IsLow => IsComplete && AmplitudeUv!.Value < LowerLimitUv!.Value;

    internal bool IsNormal => IsComplete && AmplitudeUv!.Value >= LowerLimitUv!.Value;

    internal string Name => IsDistal
        ? $"{Side.Name()} {Nerve.Name()}"
        : $"{Side.Name()} {Nerve.Name()} (stimulated at {Site!.Value.Name()})";
}

/// <summary>The lab's own interpretation flag, when it gave one that FhirMmn recognises.</summary>
public enum LabInterpretation
{
    None,
    Raised,
    NotRaised,

    /// <summary>Equivocal or indeterminate (v3 ObservationInterpretation E, IND): neither raised nor not raised.</summary>
    Equivocal,
}

/// <summary>An IgM anti-GM1 antibody result. The lab's flag, when present, decides; else the value does.</summary>
public abstract record AntiGm1Result(string SourceId, LabInterpretation Interpretation)
{
    /// <summary>Whether the value alone says raised; <c>null</c> when it cannot say.</summary>
    internal abstract bool? ValueSaysRaised();

    internal abstract string DescribeValue();
}

/// <summary>A quantitative result against the lab's upper limit of normal (same unit).</summary>
public sealed record AntiGm1Quantity(string SourceId, LabInterpretation Interpretation, Measured Value, decimal? UpperLimit)
    : AntiGm1Result(SourceId, Interpretation)
{
    internal override bool? ValueSaysRaised() => UpperLimit is { } limit ? Value.IsAbove(limit) : null;

    internal override string DescribeValue() => UpperLimit is { } limit
        ? $"{Value} against an upper limit of {Measured.Format(limit)}"
        : $"{Value} without an upper limit of normal";
}

/// <summary>
/// A titre 1:<paramref name="Dilution"/> against the lab's limit: "&lt;= 1:N" (inclusive) or "&lt; 1:N".
/// </summary>
public sealed record AntiGm1Titre(string SourceId, LabInterpretation Interpretation, decimal Dilution, decimal? LimitDilution, bool LimitInclusive)
    : AntiGm1Result(SourceId, Interpretation)
{
    internal override bool? ValueSaysRaised() => LimitDilution switch
    {
        null => null,
        { } limit when LimitInclusive => Dilution > limit,
        { } limit => Dilution >= limit,
    };

    internal override string DescribeValue() => LimitDilution is { } limit
        ? $"titre 1:{Measured.Format(Dilution)} against a normal of {(LimitInclusive ? "<=" : "<")} 1:{Measured.Format(limit)}"
        : $"titre 1:{Measured.Format(Dilution)} without a normal limit";
}

/// <summary>A qualitative result: positive or negative.</summary>
public sealed record AntiGm1Presence(string SourceId, LabInterpretation Interpretation, bool Positive)
    : AntiGm1Result(SourceId, Interpretation)
{
    internal override bool? ValueSaysRaised() => Positive;

    internal override string DescribeValue() => Positive ? "positive" : "negative";
}

/// <summary>CSF total protein in g/L, with the lab's upper limit of normal when given.</summary>
public sealed record CsfProtein(Measured GramsPerLitre, decimal? UpperLimitGramsPerLitre, string SourceId);

/// <summary>
/// Clinical findings. <c>null</c> means not provided. Weakness duration is in days (UCUM: 1 mo = 30.4375 d),
/// so that conversions from months, weeks and years stay exact.
/// </summary>
public sealed record ClinicalFindings
{
    public static readonly ClinicalFindings NoneProvided = new();

    public int? WeakNerveCount { get; init; }

    public Measured? WeaknessDurationDays { get; init; }

    public bool? ObjectiveSensoryLoss { get; init; }

    public bool? UpperMotorNeuronSigns { get; init; }

    public bool? MarkedBulbarInvolvement { get; init; }

    public bool? DiffuseSymmetricWeaknessEarly { get; init; }

    public bool? IvigResponse { get; init; }

    public bool? MriPlexusT2Hyperintensity { get; init; }

    public CsfProtein? CsfProtein { get; init; }
}

/// <summary>
/// Everything known of one patient for one assessment. At most one SNAP per nerve, side and
/// <see cref="SnapResult.Slot"/> (the distal SNAP, or one stimulation site; the caller keeps the newest);
/// several motor studies of one nerve and side are allowed (different days). Anti-GM1 results come
/// oldest first: among those not raised, the newest tells equivocal from not raised.
/// </summary>
public sealed record MmnEvidence(
    IReadOnlyList<MotorStudy> MotorStudies,
    IReadOnlyList<SnapResult> Snaps,
    IReadOnlyList<AntiGm1Result> AntiGm1,
    ClinicalFindings Clinical);
