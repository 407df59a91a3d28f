namespace FhirMmn.Domain.Tests;

/// <summary>
/// docs/criteria.md, "Supportive" (with the anti-GM1 interpretation of the feed contract, and revision 2
/// items 3 and 9). Every case has a probable block in one nerve (left ulnar, normal SNAP), weakness in two
/// nerves, exactly one other supportive criterion met and the remaining two done and not met, so that the
/// criterion under test decides: met gives probable, not met criteria-not-met, and not provided (or
/// equivocal) insufficient data naming its test, since two supportive criteria could then still be met.
/// Section 4.1 item 3 changed the "not provided" rows (they were criteria-not-met) and the fixture (the
/// two other criteria were not provided).
/// </summary>
public sealed class SupportiveTests
{
    private static readonly CsfProtein NormalCsf = new(0.3m, null, "csf");

    private static Case ProbableBlockInOneNerve() => Case.Patient()
        .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
        .WithNormalUpperLimbSnaps(Side.Left);

    private static MmnCategory CategoryFor(CriterionStatus status) => status switch
    {
        CriterionStatus.Met => MmnCategory.Probable,
        CriterionStatus.NotMet => MmnCategory.CriteriaNotMet,
        _ => MmnCategory.InsufficientData,
    };

    private static void AssertCategory(string rule, MmnAssessment result, CriterionId id, CriterionStatus status)
    {
        Expect.Equal(status, result.Criterion(id).Status, rule);
        Expect.Equal(CategoryFor(status), result.Category, rule);
        var open = result.MissingData.Where(m => m.Kind == MissingDataKind.SupportiveTestNotDone).ToList();
        Expect.Equal(status is CriterionStatus.NotProvided or CriterionStatus.Equivocal ? 1 : 0, open.Count, rule);
    }

    private static void AssertAntiGm1(string rule, AntiGm1Result antiGm1, CriterionStatus status)
    {
        var result = ProbableBlockInOneNerve()
            .WithAntiGm1(antiGm1)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true, CsfProtein = NormalCsf, IvigResponse = false })
            .Classify();

        AssertCategory(rule, result, CriterionId.AntiGm1Raised, status);
    }

    public static TheoryData<string, decimal, Comparator, decimal?, LabInterpretation, CriterionStatus> QuantityRows => new()
    {
        { "140 against an upper limit of 50: raised", 140m, Comparator.Exact, 50m, LabInterpretation.None, CriterionStatus.Met },
        { "50.01 against 50: raised", 50.01m, Comparator.Exact, 50m, LabInterpretation.None, CriterionStatus.Met },
        { "exactly at the upper limit: not raised", 50m, Comparator.Exact, 50m, LabInterpretation.None, CriterionStatus.NotMet },
        { "49.99 against 50: not raised", 49.99m, Comparator.Exact, 50m, LabInterpretation.None, CriterionStatus.NotMet },
        { "'> 50' against 50: raised", 50m, Comparator.GreaterThan, 50m, LabInterpretation.None, CriterionStatus.Met },
        { "'>= 50.01' against 50: raised", 50.01m, Comparator.GreaterOrEqual, 50m, LabInterpretation.None, CriterionStatus.Met },
        { "'>= 50' against 50: cannot tell, not provided", 50m, Comparator.GreaterOrEqual, 50m, LabInterpretation.None, CriterionStatus.NotProvided },
        { "'> 40' against 50: cannot tell, not provided", 40m, Comparator.GreaterThan, 50m, LabInterpretation.None, CriterionStatus.NotProvided },
        { "'< 50' against 50: not raised", 50m, Comparator.LessThan, 50m, LabInterpretation.None, CriterionStatus.NotMet },
        { "'<= 50' against 50: not raised", 50m, Comparator.LessOrEqual, 50m, LabInterpretation.None, CriterionStatus.NotMet },
        { "'< 60' against 50: cannot tell, not provided", 60m, Comparator.LessThan, 50m, LabInterpretation.None, CriterionStatus.NotProvided },
        { "140 without an upper limit: cannot tell, not provided", 140m, Comparator.Exact, null, LabInterpretation.None, CriterionStatus.NotProvided },
        { "20 against 50 flagged raised by the lab: raised", 20m, Comparator.Exact, 50m, LabInterpretation.Raised, CriterionStatus.Met },
        { "140 against 50 flagged not raised by the lab: not raised", 140m, Comparator.Exact, 50m, LabInterpretation.NotRaised, CriterionStatus.NotMet },
        { "140 against 50 flagged equivocal by the lab: equivocal", 140m, Comparator.Exact, 50m, LabInterpretation.Equivocal, CriterionStatus.Equivocal },
        { "20 against 50 flagged equivocal by the lab: equivocal", 20m, Comparator.Exact, 50m, LabInterpretation.Equivocal, CriterionStatus.Equivocal },
        { "140 without a limit, flagged raised: raised", 140m, Comparator.Exact, null, LabInterpretation.Raised, CriterionStatus.Met },
        { "20 without a limit, flagged not raised: not raised", 20m, Comparator.Exact, null, LabInterpretation.NotRaised, CriterionStatus.NotMet },
        { "'> 40' against 50, flagged raised: raised", 40m, Comparator.GreaterThan, 50m, LabInterpretation.Raised, CriterionStatus.Met },
    };

    [Theory]
    [MemberData(nameof(QuantityRows))]
    public void Quantitative_anti_gm1_is_raised_only_above_the_labs_upper_limit_unless_the_lab_flag_decides(
        string rule, decimal value, Comparator comparator, decimal? upperLimit, LabInterpretation interpretation, CriterionStatus status) =>
        AssertAntiGm1(rule, AntiGm1.Quantity(new Measured(value, comparator), upperLimit, interpretation), status);

    public static TheoryData<string, decimal, decimal?, bool, LabInterpretation, CriterionStatus> TitreRows => new()
    {
        { "1:800 against '<= 1:800': not raised", 800m, 800m, true, LabInterpretation.None, CriterionStatus.NotMet },
        { "1:1600 against '<= 1:800': raised", 1600m, 800m, true, LabInterpretation.None, CriterionStatus.Met },
        { "1:800 against '< 1:800': raised", 800m, 800m, false, LabInterpretation.None, CriterionStatus.Met },
        { "1:400 against '< 1:800': not raised", 400m, 800m, false, LabInterpretation.None, CriterionStatus.NotMet },
        { "1:3200 without a normal limit: cannot tell, not provided", 3200m, null, true, LabInterpretation.None, CriterionStatus.NotProvided },
        { "1:3200 without a limit, flagged raised: raised", 3200m, null, true, LabInterpretation.Raised, CriterionStatus.Met },
        { "1:1600 against '<= 1:800', flagged not raised: not raised", 1600m, 800m, true, LabInterpretation.NotRaised, CriterionStatus.NotMet },
        { "1:400 against '<= 1:800', flagged raised: raised", 400m, 800m, true, LabInterpretation.Raised, CriterionStatus.Met },
        { "1:800 against '<= 1:800', flagged equivocal: equivocal", 800m, 800m, true, LabInterpretation.Equivocal, CriterionStatus.Equivocal },
    };

    [Theory]
    [MemberData(nameof(TitreRows))]
    public void Anti_gm1_titre_is_read_against_an_inclusive_or_exclusive_normal_limit(
        string rule, decimal dilution, decimal? limit, bool inclusive, LabInterpretation interpretation, CriterionStatus status) =>
        AssertAntiGm1(rule, new AntiGm1Titre("titre", interpretation, dilution, limit, inclusive), status);

    public static TheoryData<string, bool, LabInterpretation, CriterionStatus> PresenceRows => new()
    {
        { "positive: raised", true, LabInterpretation.None, CriterionStatus.Met },
        { "negative: not raised", false, LabInterpretation.None, CriterionStatus.NotMet },
        { "positive, flagged not raised (e.g. equivocal): not raised", true, LabInterpretation.NotRaised, CriterionStatus.NotMet },
        { "negative, flagged raised: raised", false, LabInterpretation.Raised, CriterionStatus.Met },
        { "positive, flagged equivocal: equivocal", true, LabInterpretation.Equivocal, CriterionStatus.Equivocal },
    };

    [Theory]
    [MemberData(nameof(PresenceRows))]
    public void Qualitative_anti_gm1_is_raised_when_positive_unless_the_lab_flag_decides(
        string rule, bool positive, LabInterpretation interpretation, CriterionStatus status) =>
        AssertAntiGm1(rule, new AntiGm1Presence("presence", interpretation, positive), status);

    [Fact]
    public void No_anti_gm1_result_is_not_provided_and_the_test_would_decide()
    {
        var result = ProbableBlockInOneNerve()
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true, CsfProtein = NormalCsf, IvigResponse = false })
            .Classify();

        AssertCategory("no anti-GM1 result", result, CriterionId.AntiGm1Raised, CriterionStatus.NotProvided);
        Assert.Equal(DecidingTest.AntiGm1, Assert.Single(result.MissingData).Test);
    }

    public static TheoryData<string, decimal?, Comparator, decimal?, CriterionStatus> CsfRows => new()
    {
        { "0.46 g/L, no lab limit (0.45): raised", 0.46m, Comparator.Exact, null, CriterionStatus.Met },
        { "exactly 0.45 g/L, no lab limit: not raised", 0.45m, Comparator.Exact, null, CriterionStatus.NotMet },
        { "0.4501 g/L, no lab limit: raised", 0.4501m, Comparator.Exact, null, CriterionStatus.Met },
        { "0.99 g/L: raised and below 1 g/L", 0.99m, Comparator.Exact, null, CriterionStatus.Met },
        { "0.9999 g/L: raised and below 1 g/L", 0.9999m, Comparator.Exact, null, CriterionStatus.Met },
        { "exactly 1 g/L: too high to support MMN", 1m, Comparator.Exact, null, CriterionStatus.NotMet },
        { "1.2 g/L: too high to support MMN", 1.2m, Comparator.Exact, null, CriterionStatus.NotMet },
        { "0.6 g/L, lab limit 0.6: not raised", 0.6m, Comparator.Exact, 0.6m, CriterionStatus.NotMet },
        { "0.61 g/L, lab limit 0.6: raised", 0.61m, Comparator.Exact, 0.6m, CriterionStatus.Met },
        { "0.5 g/L, lab limit 0.6: not raised (the lab's limit, not 0.45)", 0.5m, Comparator.Exact, 0.6m, CriterionStatus.NotMet },
        { "0.35 g/L, lab limit 0.3: raised (the lab's limit, not 0.45)", 0.35m, Comparator.Exact, 0.3m, CriterionStatus.Met },
        { "0.9 g/L, lab limit 1.2: not raised (the lab's limit decides)", 0.9m, Comparator.Exact, 1.2m, CriterionStatus.NotMet },
        { "'< 0.3' g/L: not raised", 0.3m, Comparator.LessThan, null, CriterionStatus.NotMet },
        { "'> 1' g/L: too high to support MMN", 1m, Comparator.GreaterThan, null, CriterionStatus.NotMet },
        { "no CSF result: not provided", null, Comparator.Exact, null, CriterionStatus.NotProvided },
    };

    [Theory]
    [MemberData(nameof(CsfRows))]
    public void Csf_protein_supports_mmn_when_above_the_labs_limit_and_below_one_gram_per_litre(
        string rule, decimal? gramsPerLitre, Comparator comparator, decimal? labUpperLimit, CriterionStatus status)
    {
        var csf = gramsPerLitre is { } value ? new CsfProtein(new Measured(value, comparator), labUpperLimit, "csf") : null;

        var result = ProbableBlockInOneNerve()
            .WithAntiGm1(AntiGm1.NotRaised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true, CsfProtein = csf, IvigResponse = false })
            .Classify();

        AssertCategory(rule, result, CriterionId.CsfProteinRaised, status);
    }

    public static TheoryData<bool?, CriterionStatus> MriRows => new()
    {
        { true, CriterionStatus.Met },
        { false, CriterionStatus.NotMet },
        { null, CriterionStatus.NotProvided },
    };

    [Theory]
    [MemberData(nameof(MriRows))]
    public void Brachial_plexus_mri_hyperintensity_is_a_supportive_criterion(bool? mri, CriterionStatus status)
    {
        var result = ProbableBlockInOneNerve()
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = mri, CsfProtein = NormalCsf, IvigResponse = false })
            .Classify();

        AssertCategory($"MRI {mri}", result, CriterionId.MriPlexusHyperintensity, status);
    }

    [Theory]
    [MemberData(nameof(MriRows))]
    public void Objective_ivig_response_is_a_supportive_criterion(bool? ivig, CriterionStatus status)
    {
        var result = ProbableBlockInOneNerve()
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { IvigResponse = ivig, CsfProtein = NormalCsf, MriPlexusT2Hyperintensity = false })
            .Classify();

        AssertCategory($"IVIg {ivig}", result, CriterionId.IvigResponse, status);
    }
}
