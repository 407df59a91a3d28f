namespace FhirMmn.Domain.Tests;

/// <summary>
/// A clinical case, built the way a neurophysiologist would dictate it: motor studies (the sites of one
/// nerve on one side, each site as (site, amplitude mV, negative-peak area mV.ms, negative-peak
/// duration ms)), SNAPs, antibody results and clinical findings. Everything not said is absent.
/// </summary>
internal sealed class Case
{
    /// <summary>Distal CMAP of the ready-made studies: well above both gradeability floors.</summary>
    private const decimal DistalAmplitude = 8m;
    private const decimal DistalArea = 20m;
    private const decimal DistalDuration = 5m;

    private readonly List<MotorStudy> studies = [];
    private readonly List<SnapResult> snaps = [];
    private readonly List<AntiGm1Result> antiGm1 = [];
    private ClinicalFindings clinical = ClinicalFindings.NoneProvided;

    private Case()
    {
    }

    public static Case Patient() => new();

    /// <summary>A motor study against the usual lower limit of normal of that nerve's CMAP amplitude.</summary>
    public Case WithStudy(
        MotorNerve nerve,
        Side side,
        params (StimulationSite Site, decimal? Amplitude, decimal? Area, decimal? Duration)[] sites) =>
        WithStudy(nerve, side, Normal.CmapLowerLimitMv(nerve), sites);

    /// <summary>A motor study whose sites all carry <paramref name="lowerLimitMv"/> (null: the lab gave none).</summary>
    public Case WithStudy(
        MotorNerve nerve,
        Side side,
        decimal? lowerLimitMv,
        params (StimulationSite Site, decimal? Amplitude, decimal? Area, decimal? Duration)[] sites)
    {
        var id = $"study-{studies.Count + 1}";
        var cmaps = sites
            .Select((s, i) => new CmapSite(s.Site, s.Amplitude, s.Area, s.Duration, lowerLimitMv, $"{id}-site-{i + 1}"))
            .ToList();
        studies.Add(new MotorStudy(id, nerve, side, cmaps));
        return this;
    }

    /// <summary>Area 60 % smaller proximally, duration 10 % longer: definite where the nerve allows it.</summary>
    public Case WithDefiniteBlock(MotorNerve nerve, Side side) => WithTypicalSegment(nerve, side, 3.5m, 8m, 5.5m);

    /// <summary>Area 60 % smaller, duration 40 % longer: probable in every graded nerve.</summary>
    public Case WithProbableBlock(MotorNerve nerve, Side side) => WithTypicalSegment(nerve, side, 3.5m, 8m, 7m);

    /// <summary>Area 5 % smaller, duration 4 % longer: no block.</summary>
    public Case WithNormalConduction(MotorNerve nerve, Side side) => WithTypicalSegment(nerve, side, 7.6m, 19m, 5.2m);

    /// <summary>A SNAP; with <paramref name="site"/> other than the wrist, a segmental SNAP (section 4.1 item 4).</summary>
    public Case WithSnap(SensoryNerve nerve, Side side, decimal? amplitudeUv, decimal? lowerLimitUv, StimulationSite? site = null)
    {
        snaps.Add(new SnapResult(nerve, side, amplitudeUv, lowerLimitUv, $"snap-{snaps.Count + 1}", site));
        return this;
    }

    public Case WithNormalSnap(SensoryNerve nerve, Side side) => WithSnap(nerve, side, 20m, 10m);

    public Case WithLowSnap(SensoryNerve nerve, Side side) => WithSnap(nerve, side, 4m, 10m);

    /// <summary>Median, ulnar and radial SNAPs of one side, all normal.</summary>
    public Case WithNormalUpperLimbSnaps(Side side) =>
        WithNormalSnap(SensoryNerve.Median, side).WithNormalSnap(SensoryNerve.Ulnar, side).WithNormalSnap(SensoryNerve.Radial, side);

    public Case WithAntiGm1(AntiGm1Result result)
    {
        antiGm1.Add(result);
        return this;
    }

    public Case WithClinical(ClinicalFindings findings)
    {
        clinical = findings;
        return this;
    }

    /// <summary>
    /// All four supportive tests done and none met (anti-GM1 not raised, CSF protein 0.3 g/L, no plexus
    /// hyperintensity, no IVIg response), so that no supportive test is left to decide (section 4.1 item 3).
    /// Call after <see cref="WithClinical"/>.
    /// </summary>
    public Case WithNoSupportiveCriterion()
    {
        antiGm1.Add(AntiGm1.NotRaised);
        clinical = clinical with { CsfProtein = new CsfProtein(0.3m, null, "csf"), MriPlexusT2Hyperintensity = false, IvigResponse = false };
        return this;
    }

    public MmnEvidence Evidence => new([.. studies], [.. snaps], [.. antiGm1], clinical);

    public MmnAssessment Classify() => MmnClassifier.Classify(Evidence);

    /// <summary>The segment a block is usually sought in, per nerve.</summary>
    public static (StimulationSite Distal, StimulationSite Proximal) TypicalSegment(MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median => (StimulationSite.Wrist, StimulationSite.Elbow),
        MotorNerve.Ulnar => (StimulationSite.Wrist, StimulationSite.BelowElbow),
        MotorNerve.Radial => (StimulationSite.Elbow, StimulationSite.Axilla),
        MotorNerve.Musculocutaneous => (StimulationSite.Axilla, StimulationSite.ErbPoint),
        MotorNerve.Peroneal => (StimulationSite.Ankle, StimulationSite.BelowFibularHead),
        MotorNerve.Tibial => (StimulationSite.Ankle, StimulationSite.PoplitealFossa),
        _ => throw new ArgumentOutOfRangeException(nameof(nerve)),
    };

    private Case WithTypicalSegment(MotorNerve nerve, Side side, decimal proximalAmplitude, decimal proximalArea, decimal proximalDuration)
    {
        var (distal, proximal) = TypicalSegment(nerve);
        return WithStudy(
            nerve,
            side,
            (distal, DistalAmplitude, DistalArea, DistalDuration),
            (proximal, proximalAmplitude, proximalArea, proximalDuration));
    }
}

/// <summary>Usual laboratory limits, used where a row does not name its own.</summary>
internal static class Normal
{
    public static decimal CmapLowerLimitMv(MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median => 4m,
        MotorNerve.Ulnar => 6m,
        MotorNerve.Radial => 2m,
        MotorNerve.Musculocutaneous => 2m,
        MotorNerve.Peroneal => 2m,
        MotorNerve.Tibial => 4m,
        _ => throw new ArgumentOutOfRangeException(nameof(nerve)),
    };
}

/// <summary>Clinical pictures.</summary>
internal static class Clinical
{
    /// <summary>UCUM: 1 mo = 1/12 of a Julian year of 365.25 d.</summary>
    public const decimal DaysPerMonth = 30.4375m;

    /// <summary>
    /// All six findings given and favourable: asymmetric weakness in two nerves for 22 months, no
    /// objective sensory loss, no upper motor neuron signs, no marked bulbar involvement, no diffuse
    /// symmetric weakness early on.
    /// </summary>
    public static ClinicalFindings Typical { get; } = new()
    {
        WeakNerveCount = 2,
        WeaknessDurationDays = 22 * DaysPerMonth,
        ObjectiveSensoryLoss = false,
        UpperMotorNeuronSigns = false,
        MarkedBulbarInvolvement = false,
        DiffuseSymmetricWeaknessEarly = false,
    };
}

internal static class AntiGm1
{
    public static AntiGm1Quantity Quantity(Measured value, decimal? upperLimit, LabInterpretation interpretation = LabInterpretation.None) =>
        new("anti-gm1", interpretation, value, upperLimit);

    public static AntiGm1Quantity Raised { get; } = Quantity(140m, 50m);

    public static AntiGm1Quantity NotRaised { get; } = Quantity(12m, 50m);
}

/// <summary>Lookups into an assessment that fail the test when the thing looked for is absent or doubled.</summary>
internal static class AssessmentLookups
{
    public static SegmentFinding Segment(this MmnAssessment assessment, MotorNerve nerve, Side side, StimulationSite distal, StimulationSite proximal) =>
        Assert.Single(assessment.Segments, s => s.Kind == SegmentKind.Segment && s.Nerve == nerve && s.Side == side && s.DistalSite == distal && s.ProximalSite == proximal);

    /// <summary>The span from the study's most distal site (criteria revision 2 item 1, docs/criteria.md).</summary>
    public static SegmentFinding Span(this MmnAssessment assessment, MotorNerve nerve, Side side, StimulationSite distal, StimulationSite proximal) =>
        Assert.Single(assessment.Segments, s => s.Kind == SegmentKind.Span && s.Nerve == nerve && s.Side == side && s.DistalSite == distal && s.ProximalSite == proximal);

    public static IEnumerable<SegmentFinding> SegmentsOnly(this MmnAssessment assessment) =>
        assessment.Segments.Where(s => s.Kind == SegmentKind.Segment);

    public static SegmentFinding TypicalSegment(this MmnAssessment assessment, MotorNerve nerve, Side side)
    {
        var (distal, proximal) = Case.TypicalSegment(nerve);
        return assessment.Segment(nerve, side, distal, proximal);
    }

    public static NerveFinding Nerve(this MmnAssessment assessment, MotorNerve nerve, Side side) =>
        Assert.Single(assessment.Nerves, n => n.Nerve == nerve && n.Side == side);

    public static CriterionResult Criterion(this MmnAssessment assessment, CriterionId id) =>
        Assert.Single(assessment.Criteria, c => c.Id == id);

    public static ISet<MissingDataKind> MissingKinds(this MmnAssessment assessment) =>
        assessment.MissingData.Select(m => m.Kind).ToHashSet();

    /// <summary>Insufficient data, naming <paramref name="kind"/> and saying what would decide it.</summary>
    public static void AssertInsufficientBecause(this MmnAssessment assessment, MissingDataKind kind)
    {
        Assert.Equal(MmnCategory.InsufficientData, assessment.Category);
        Assert.Contains(kind, assessment.MissingKinds());
        Assert.All(assessment.MissingData, m => Assert.False(string.IsNullOrWhiteSpace(m.WouldDecide)));
    }
}

/// <summary>Assertions that carry a table row's clinical rule into the failure message.</summary>
internal static class Expect
{
    public static void Equal<T>(T expected, T actual, string rule) =>
        Assert.True(EqualityComparer<T>.Default.Equals(expected, actual), $"{rule}: expected {expected}, got {actual}");
}

/// <summary>
/// The rest of a case in which one left-sided study decides the category: a normal right median
/// study, normal median, ulnar and radial SNAPs on both sides, weakness in two nerves for 22 months
/// with no exclusion, and two supportive criteria (raised anti-GM1 IgM, plexus MRI). A counting block
/// then gives definite (definite block), probable (probable block in one nerve plus two supportive
/// criteria) or criteria-not-met (no block).
/// </summary>
internal static class Background
{
    public static Case WithTwoSupportiveCriteria() => Case.Patient()
        .WithNormalConduction(MotorNerve.Median, Side.Right)
        .WithNormalUpperLimbSnaps(Side.Left)
        .WithNormalUpperLimbSnaps(Side.Right)
        .WithAntiGm1(AntiGm1.Raised)
        .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true });

    public static MmnCategory CategoryFor(BlockGrade grade) => grade switch
    {
        BlockGrade.Definite => MmnCategory.Definite,
        BlockGrade.Probable => MmnCategory.Probable,
        _ => MmnCategory.CriteriaNotMet,
    };
}
