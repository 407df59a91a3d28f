namespace FhirMmn.Domain;

/// <summary>The diagnostic categories, in the order the decision tries them.</summary>
public enum MmnCategory
{
    Definite,
    Probable,
    Possible,
    CriteriaNotMet,
    InsufficientData,
}

/// <summary>Whether the clinical criteria were provided or (some of them) assumed favourable.</summary>
public enum ClinicalBasis
{
    ClinicalCriteriaProvided,
    ClinicalCriteriaAssumed,
}

/// <summary>The six clinical findings that make the basis "provided" when all are present.</summary>
public enum ClinicalFinding
{
    WeaknessNerveCount,
    WeaknessDuration,
    ObjectiveSensoryLoss,
    UpperMotorNeuronSigns,
    MarkedBulbarInvolvement,
    DiffuseSymmetricWeaknessEarly,
}

public enum BlockGrade
{
    None,
    Probable,
    Definite,
}

public enum SegmentStatus
{
    /// <summary>Graded for conduction block.</summary>
    Graded,

    /// <summary>Not gradeable: data missing or the distal CMAP too small (a missing-data finding).</summary>
    NotGradeable,

    /// <summary>Crosses a common entrapment site: excluded by the criteria.</summary>
    EntrapmentSite,

    /// <summary>The nerve's segments are not graded by the criteria (tibial).</summary>
    NerveNotGraded,
}

/// <summary>One segment between two consecutive reported sites of a study.</summary>
public sealed record SegmentFinding(
    string StudyId,
    MotorNerve Nerve,
    Side Side,
    StimulationSite DistalSite,
    StimulationSite ProximalSite,
    SegmentStatus Status,
    decimal? AreaReductionPercent,
    decimal? DurationIncreasePercent,
    BlockGrade Grade,
    string Why)
{
    public string Name => $"{DistalSite.Name()} to {ProximalSite.Name()}";
}

/// <summary>How a conduction block stands against "normal sensory conduction in the segments with CB".</summary>
public enum SensoryCheck
{
    /// <summary>No block to check, or a peroneal block (no SNAP needed).</summary>
    NotRequired,

    /// <summary>The SNAP of that nerve on that side is present and at or above its lower limit.</summary>
    Normal,

    /// <summary>The SNAP is below its lower limit: the block does not count.</summary>
    Low,

    /// <summary>No SNAP (or no lower limit) for that nerve and side: a missing-data finding.</summary>
    Missing,
}

/// <summary>A nerve on one side: its best block grade and whether the block counts.</summary>
public sealed record NerveFinding(MotorNerve Nerve, Side Side, BlockGrade Grade, SensoryCheck Sensory, string SensoryWhy)
{
    /// <summary>A block counts when it is probable or definite and the sensory condition holds.</summary>
    public bool Counts => Grade != BlockGrade.None && Sensory is SensoryCheck.NotRequired or SensoryCheck.Normal;

    public string Name => $"{Side.Name()} {Nerve.Name()}";
}

public enum CriterionGroup
{
    CoreClinical,
    Exclusion,
    Electrophysiological,
    Supportive,
}

public enum CriterionId
{
    WeaknessInTwoNerves,
    WeaknessOverOneMonth,
    NoObjectiveSensoryLoss,
    NoUpperMotorNeuronSigns,
    NoMarkedBulbarInvolvement,
    NoDiffuseSymmetricWeaknessEarly,
    DefiniteConductionBlock,
    ProbableConductionBlock,
    NormalSensoryConduction,
    AntiGm1Raised,
    CsfProteinRaised,
    MriPlexusHyperintensity,
    IvigResponse,
}

public enum CriterionStatus
{
    Met,
    NotMet,
    NotProvided,
}

/// <summary>One line of the criteria checklist. <paramref name="Assumed"/>: not provided, taken as met.</summary>
public sealed record CriterionResult(
    CriterionId Id,
    CriterionGroup Group,
    string Title,
    CriterionStatus Status,
    bool Assumed,
    string Detail);

public enum MissingDataKind
{
    /// <summary>No motor conduction study at all.</summary>
    NoMotorStudy,

    /// <summary>Motor studies, but not one segment that the criteria could grade.</summary>
    NoSegmentToGrade,

    /// <summary>A segment lacks area or duration, a lower limit, or has a distal CMAP below the floor.</summary>
    SegmentNotGradeable,

    /// <summary>A block in an upper-limb nerve whose SNAP (or its lower limit) is not in the data.</summary>
    SnapMissingForBlock,

    /// <summary>No upper-limb SNAP at all.</summary>
    NoUpperLimbSnap,

    /// <summary>An upper-limb SNAP without its value or its lower limit.</summary>
    UpperLimbSnapIncomplete,
}

/// <summary>The kind of test that closes a gap in the data.</summary>
public enum DecidingTest
{
    /// <summary>Motor conduction studies with more (proximal) sites or more nerves.</summary>
    ExtendedMotorStudies,

    /// <summary>CMAP negative-peak area and duration (and the amplitude's lower limit) at the sites already studied.</summary>
    CmapAreaAndDuration,

    /// <summary>Sensory conduction studies: SNAP amplitudes with their lower limits.</summary>
    SensoryStudies,
}

/// <summary>Something the criteria need that the data lacks, and what would decide it.</summary>
public sealed record MissingDataFinding(MissingDataKind Kind, string Finding, string WouldDecide, DecidingTest Test);

/// <summary>The result of one assessment, with every reason.</summary>
public sealed record MmnAssessment(
    MmnCategory Category,
    ClinicalBasis Basis,
    IReadOnlyList<ClinicalFinding> AssumedFindings,
    IReadOnlyList<SegmentFinding> Segments,
    IReadOnlyList<NerveFinding> Nerves,
    IReadOnlyList<CriterionResult> Criteria,
    IReadOnlyList<MissingDataFinding> MissingData,
    IReadOnlyList<string> Reasons,
    bool UpperMotorNeuronOrBulbarSigns,
    bool SensoryInvolvement)
{
    public bool MissingDataPresent => MissingData.Count > 0;
}
