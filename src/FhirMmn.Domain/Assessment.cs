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

    /// <summary>Not gradeable: area, duration, amplitude or its lower limit not sent (a missing-data finding).</summary>
    NotGradeable,

    /// <summary>
    /// Not assessable: the distal CMAP is too low (axonal loss) for a block to be judged there (a
    /// missing-data finding whose deciding test is other nerves, not the same study again).
    /// </summary>
    NotAssessable,

    /// <summary>Crosses a common entrapment site: excluded by the criteria.</summary>
    EntrapmentSite,

    /// <summary>The nerve's segments are not graded by the criteria (tibial).</summary>
    NerveNotGraded,
}

/// <summary>A segment joins two consecutive reported sites; a span joins the study's most distal site to a site further up.</summary>
public enum SegmentKind
{
    Segment,
    Span,
}

/// <summary>What a caveat qualifies (criteria revision 2 items 5 and 7, docs/criteria.md). A caveat never changes the category.</summary>
public enum CaveatKind
{
    /// <summary>The grade rests on stimulation at Erb's point, where supramaximal stimulation is hard to confirm.</summary>
    ErbPointStimulation,

    /// <summary>A radial segment or span that crosses the spiral groove, a compression site.</summary>
    RadialSpiralGroove,

    /// <summary>CSF protein at or above 1 g/L: points to CIDP.</summary>
    CsfProteinOneGramOrMore,

    /// <summary>A low sural or superficial peroneal SNAP: sensory involvement.</summary>
    LowLegSnap,
}

/// <summary>A caveat, shown beside the finding it qualifies.</summary>
public sealed record Caveat(CaveatKind Kind, string Text);

/// <summary>
/// One segment (two consecutive reported sites of a study) or span (the study's most distal site and a
/// site further up), graded by the same rules.
/// </summary>
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
    public SegmentKind Kind { get; init; } = SegmentKind.Segment;

    /// <summary>Both sites in the elbow region: the 30 % criterion does not apply (section 4.1 item 2).</summary>
    public bool IsShort => DistalSite.IsInElbowRegion() && ProximalSite.IsInElbowRegion();

    /// <summary>Caveats of this grade (Erb's point, spiral groove), beside it.</summary>
    public IReadOnlyList<Caveat> Caveats { get; init; } = [];

    /// <summary>
    /// This row gave a grade that decided the category (a counted block of definite, probable or
    /// possible MMN), or it is what left the category undecided (insufficient data).
    /// </summary>
    public bool Decided { get; init; }

    public string Name => $"{DistalSite.Name()} to {ProximalSite.Name()}";
}

/// <summary>How a conduction block stands against "normal sensory conduction in the segments with CB".</summary>
public enum SensoryCheck
{
    /// <summary>No block to check, or a peroneal block whose superficial peroneal SNAP is not low.</summary>
    NotRequired,

    /// <summary>The distal SNAP of that nerve and side, or a segmental SNAP across the block, is at or above its lower limit.</summary>
    Normal,

    /// <summary>A SNAP that decides is below its lower limit: the block does not count.</summary>
    Low,

    /// <summary>No SNAP (or no lower limit) for that nerve and side: a missing-data finding.</summary>
    Missing,

    /// <summary>
    /// The distal SNAP is low and no segmental SNAP crosses the block: "sensory conduction across the
    /// block not established" (a missing-data finding where counting the block would change the category).
    /// </summary>
    NotEstablished,
}

/// <summary>
/// A nerve on one side. <see cref="Grade"/> is the best grade of its segments and spans;
/// <see cref="CountedGrade"/> the best grade of those whose sensory check lets them count;
/// <see cref="Deciding"/> the segment or span that gave the counted grade (else the best grade).
/// </summary>
public sealed record NerveFinding(MotorNerve Nerve, Side Side, BlockGrade Grade, SensoryCheck Sensory, string SensoryWhy)
{
    public BlockGrade CountedGrade { get; init; }

    /// <summary>The best grade of the blocks whose sensory data is missing or not established (they may count once it is in).</summary>
    public BlockGrade PendingGrade { get; init; }

    public SegmentFinding? Deciding { get; init; }

    /// <summary>The caveats of the deciding segment or span.</summary>
    public IReadOnlyList<Caveat> Caveats { get; init; } = [];

    /// <summary>A block counts when it is probable or definite and the sensory condition holds.</summary>
    public bool Counts => CountedGrade != BlockGrade.None;

    public string Name => $"{Side.Name()} {Nerve.Name()}";
}

/// <summary>How a SNAP compares with its lower limit.</summary>
public enum SnapStatus
{
    Normal,
    Low,

    /// <summary>The value or the lower limit is missing.</summary>
    Incomplete,
}

/// <summary>One SNAP as the criteria read it: distal or segmental, normal or low, with its caveats.</summary>
public sealed record SnapFinding(
    SensoryNerve Nerve,
    Side Side,
    StimulationSite? Site,
    bool Segmental,
    decimal? AmplitudeUv,
    decimal? LowerLimitUv,
    SnapStatus Status,
    IReadOnlyList<Caveat> Caveats,
    string SourceId)
{
    public string Name => Segmental ? $"{Side.Name()} {Nerve.Name()} (stimulated at {Site!.Value.Name()})" : $"{Side.Name()} {Nerve.Name()}";
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

    /// <summary>The lab called the result equivocal (anti-GM1 IgM flagged E or IND): neither met nor not met.</summary>
    Equivocal,
}

/// <summary>One line of the criteria checklist. <paramref name="Assumed"/>: not provided, taken as met.</summary>
public sealed record CriterionResult(
    CriterionId Id,
    CriterionGroup Group,
    string Title,
    CriterionStatus Status,
    bool Assumed,
    string Detail)
{
    /// <summary>Caveats of this finding (a CSF protein of 1 g/L or more).</summary>
    public IReadOnlyList<Caveat> Caveats { get; init; } = [];
}

public enum MissingDataKind
{
    /// <summary>No motor conduction study at all.</summary>
    NoMotorStudy,

    /// <summary>Motor studies, but not one segment that the criteria could grade.</summary>
    NoSegmentToGrade,

    /// <summary>A segment lacks area or duration, or the amplitude or its lower limit ("not sent").</summary>
    SegmentNotGradeable,

    /// <summary>A segment whose distal CMAP is below the floor: not assessable (axonal loss).</summary>
    SegmentNotAssessable,

    /// <summary>A block in an upper-limb nerve whose SNAP (or its lower limit) is not in the data.</summary>
    SnapMissingForBlock,

    /// <summary>A block whose distal SNAP is low and that no segmental SNAP crosses, where counting it would change the category.</summary>
    SensoryAcrossBlockNotEstablished,

    /// <summary>No upper-limb SNAP at all.</summary>
    NoUpperLimbSnap,

    /// <summary>An upper-limb SNAP without its value or its lower limit.</summary>
    UpperLimbSnapIncomplete,

    /// <summary>
    /// One counted block and fewer than two supportive criteria met, but enough not provided (or
    /// equivocal) that two could be met: the supportive test not done (section 4.1 item 3).
    /// </summary>
    SupportiveTestNotDone,
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

    /// <summary>Motor conduction studies of other nerves (the segment's distal CMAP is too low to assess).</summary>
    OtherNerves,

    /// <summary>A sensory conduction study across the blocked segment (a segmental SNAP stimulated at or above the block).</summary>
    SensoryStudyAcrossBlock,

    /// <summary>Serum IgM anti-GM1 antibodies (supportive criterion 1).</summary>
    AntiGm1,

    /// <summary>A repeat of an equivocal IgM anti-GM1 result.</summary>
    AntiGm1Repeat,

    /// <summary>CSF protein (supportive criterion 2).</summary>
    CsfProtein,

    /// <summary>Brachial plexus MRI (supportive criterion 3).</summary>
    PlexusMri,

    /// <summary>An IVIg trial with objective measures of the response (supportive criterion 4).</summary>
    IvigTrial,
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

    /// <summary>Every SNAP, distal and segmental, as the criteria read it.</summary>
    public IReadOnlyList<SnapFinding> Snaps { get; init; } = [];

    /// <summary>Every caveat of the assessment (each also stands beside its finding). None changes the category.</summary>
    public IReadOnlyList<Caveat> Caveats { get; init; } = [];

    /// <summary>The segments and spans that decided the category (<see cref="SegmentFinding.Decided"/>).</summary>
    public IEnumerable<SegmentFinding> DecidingSegments => Segments.Where(s => s.Decided);

    /// <summary>The IgM anti-GM1 result is equivocal (section 4.1 item 9).</summary>
    public bool AntiGm1Equivocal { get; init; }

    /// <summary>An equivocal anti-GM1 that, raised on a repeat, would change the category: the plan proposes repeating it.</summary>
    public bool AntiGm1RepeatCouldDecide { get; init; }

    /// <summary>CSF protein of 1 g/L or more: the differential names the CIDP work-up (section 4.1 item 7).</summary>
    public bool CsfProteinOneGramOrMore { get; init; }
}
