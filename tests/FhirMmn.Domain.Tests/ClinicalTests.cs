namespace FhirMmn.Domain.Tests;

/// <summary>
/// docs/criteria.md, "Clinical findings": weakness in at least two nerves (exactly one: at most
/// possible) for more than one month; the exclusions; the basis (provided only when all six findings
/// are present, else the missing ones are assumed favourable and named).
/// </summary>
public sealed class ClinicalTests
{
    private static readonly ClinicalFinding[] AllSix =
    [
        ClinicalFinding.WeaknessNerveCount,
        ClinicalFinding.WeaknessDuration,
        ClinicalFinding.ObjectiveSensoryLoss,
        ClinicalFinding.UpperMotorNeuronSigns,
        ClinicalFinding.MarkedBulbarInvolvement,
        ClinicalFinding.DiffuseSymmetricWeaknessEarly,
    ];

    /// <summary>A definite left ulnar forearm block with a normal left ulnar SNAP, and these findings.</summary>
    private static MmnAssessment DefiniteBlockWith(ClinicalFindings findings) => Case.Patient()
        .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
        .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
        .WithClinical(findings)
        .Classify();

    public static TheoryData<string, int?, MmnCategory, CriterionStatus?> WeakNerveRows => new()
    {
        { "weakness in two nerves: definite", 2, MmnCategory.Definite, CriterionStatus.Met },
        { "weakness in three nerves: definite", 3, MmnCategory.Definite, CriterionStatus.Met },
        { "weakness in exactly one nerve: possible at most", 1, MmnCategory.Possible, CriterionStatus.NotMet },
        { "no weakness: no category of MMN", 0, MmnCategory.CriteriaNotMet, CriterionStatus.NotMet },
        { "weakness count not given: assumed two, definite", null, MmnCategory.Definite, null },
    };

    [Theory]
    [MemberData(nameof(WeakNerveRows))]
    public void Weak_nerve_count_decides_between_definite_and_possible(string rule, int? count, MmnCategory category, CriterionStatus? status)
    {
        var result = DefiniteBlockWith(Clinical.Typical with { WeakNerveCount = count });

        Expect.Equal(category, result.Category, rule);
        var criterion = result.Criterion(CriterionId.WeaknessInTwoNerves);
        if (status is { } given)
        {
            Expect.Equal(given, criterion.Status, rule);
            Expect.Equal(false, criterion.Assumed, rule);
        }
        else
        {
            Expect.Equal(true, criterion.Assumed, rule);
            Assert.True(result.AssumedFindings.Contains(ClinicalFinding.WeaknessNerveCount), rule);
        }
    }

    public static TheoryData<string, decimal?, Comparator, MmnCategory> DurationRows => new()
    {
        { "exactly one month (30.4375 days): criteria not met", 30.4375m, Comparator.Exact, MmnCategory.CriteriaNotMet },
        { "30.4376 days, just over a month: not excluded", 30.4376m, Comparator.Exact, MmnCategory.Definite },
        { "30 days: criteria not met", 30m, Comparator.Exact, MmnCategory.CriteriaNotMet },
        { "22 months (669.625 days): definite", 669.625m, Comparator.Exact, MmnCategory.Definite },
        { "'<= 30 days': criteria not met", 30m, Comparator.LessOrEqual, MmnCategory.CriteriaNotMet },
        { "'< 30.4375 days': criteria not met", 30.4375m, Comparator.LessThan, MmnCategory.CriteriaNotMet },
        { "'> 30.4375 days': more than a month, definite", 30.4375m, Comparator.GreaterThan, MmnCategory.Definite },
        { "'>= 30.4376 days': more than a month, definite", 30.4376m, Comparator.GreaterOrEqual, MmnCategory.Definite },
        { "duration not given: assumed over a month, definite", null, Comparator.Exact, MmnCategory.Definite },
    };

    [Theory]
    [MemberData(nameof(DurationRows))]
    public void Weakness_must_last_more_than_one_month(string rule, decimal? days, Comparator comparator, MmnCategory category)
    {
        Measured? duration = days is { } d ? new Measured(d, comparator) : null;

        var result = DefiniteBlockWith(Clinical.Typical with { WeaknessDurationDays = duration });

        Expect.Equal(category, result.Category, rule);
        var criterion = result.Criterion(CriterionId.WeaknessOverOneMonth);
        if (duration is null)
        {
            Expect.Equal(true, criterion.Assumed, rule);
        }
        else
        {
            Expect.Equal(category == MmnCategory.Definite ? CriterionStatus.Met : CriterionStatus.NotMet, criterion.Status, rule);
        }
    }

    public static TheoryData<ClinicalFinding, CriterionId> ExclusionRows => new()
    {
        { ClinicalFinding.UpperMotorNeuronSigns, CriterionId.NoUpperMotorNeuronSigns },
        { ClinicalFinding.MarkedBulbarInvolvement, CriterionId.NoMarkedBulbarInvolvement },
        { ClinicalFinding.ObjectiveSensoryLoss, CriterionId.NoObjectiveSensoryLoss },
        { ClinicalFinding.DiffuseSymmetricWeaknessEarly, CriterionId.NoDiffuseSymmetricWeaknessEarly },
    };

    [Theory]
    [MemberData(nameof(ExclusionRows))]
    public void Each_exclusion_gives_criteria_not_met_even_with_a_definite_block(ClinicalFinding exclusion, CriterionId criterion)
    {
        var result = DefiniteBlockWith(Present(Clinical.Typical, exclusion));

        Assert.Equal(BlockGrade.Definite, result.Nerve(MotorNerve.Ulnar, Side.Left).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.Equal(CriterionStatus.NotMet, result.Criterion(criterion).Status);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, result.Basis);
        Assert.Equal(
            exclusion is ClinicalFinding.UpperMotorNeuronSigns or ClinicalFinding.MarkedBulbarInvolvement,
            result.UpperMotorNeuronOrBulbarSigns);
        Assert.Equal(exclusion is ClinicalFinding.ObjectiveSensoryLoss, result.SensoryInvolvement);
        Assert.NotEmpty(result.Reasons);
    }

    public static TheoryData<ClinicalFinding> EachOfTheSix => [.. AllSix];

    [Theory]
    [MemberData(nameof(EachOfTheSix))]
    public void One_missing_finding_makes_the_basis_assumed_and_is_named(ClinicalFinding missing)
    {
        var result = DefiniteBlockWith(Absent(Clinical.Typical, missing));

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Equal([missing], result.AssumedFindings);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void All_six_findings_given_make_the_basis_provided()
    {
        var result = DefiniteBlockWith(Clinical.Typical);

        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, result.Basis);
        Assert.Empty(result.AssumedFindings);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void No_clinical_findings_assume_all_six_favourable_and_name_them()
    {
        var result = DefiniteBlockWith(ClinicalFindings.NoneProvided);

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Equal(AllSix.Order(), result.AssumedFindings.Order());
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Ivig_response_mri_and_csf_do_not_make_the_basis_provided()
    {
        var result = DefiniteBlockWith(new ClinicalFindings
        {
            IvigResponse = true,
            MriPlexusT2Hyperintensity = true,
            CsfProtein = new CsfProtein(0.6m, null, "csf"),
        });

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Equal(AllSix.Order(), result.AssumedFindings.Order());
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Two_findings_missing_are_both_named()
    {
        var findings = Absent(Absent(Clinical.Typical, ClinicalFinding.WeaknessDuration), ClinicalFinding.MarkedBulbarInvolvement);

        var result = DefiniteBlockWith(findings);

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Equal(
            new[] { ClinicalFinding.WeaknessDuration, ClinicalFinding.MarkedBulbarInvolvement }.Order(),
            result.AssumedFindings.Order());
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    private static ClinicalFindings Absent(ClinicalFindings findings, ClinicalFinding finding) => finding switch
    {
        ClinicalFinding.WeaknessNerveCount => findings with { WeakNerveCount = null },
        ClinicalFinding.WeaknessDuration => findings with { WeaknessDurationDays = null },
        ClinicalFinding.ObjectiveSensoryLoss => findings with { ObjectiveSensoryLoss = null },
        ClinicalFinding.UpperMotorNeuronSigns => findings with { UpperMotorNeuronSigns = null },
        ClinicalFinding.MarkedBulbarInvolvement => findings with { MarkedBulbarInvolvement = null },
        ClinicalFinding.DiffuseSymmetricWeaknessEarly => findings with { DiffuseSymmetricWeaknessEarly = null },
        _ => throw new ArgumentOutOfRangeException(nameof(finding)),
    };

    private static ClinicalFindings Present(ClinicalFindings findings, ClinicalFinding exclusion) => exclusion switch
    {
        ClinicalFinding.ObjectiveSensoryLoss => findings with { ObjectiveSensoryLoss = true },
        ClinicalFinding.UpperMotorNeuronSigns => findings with { UpperMotorNeuronSigns = true },
        ClinicalFinding.MarkedBulbarInvolvement => findings with { MarkedBulbarInvolvement = true },
        ClinicalFinding.DiffuseSymmetricWeaknessEarly => findings with { DiffuseSymmetricWeaknessEarly = true },
        _ => throw new ArgumentOutOfRangeException(nameof(exclusion)),
    };
}
