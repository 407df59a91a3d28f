namespace FhirMmn.Domain.Tests;

/// <summary>
/// criteria revision 2 item 3 (docs/criteria.md): with at least two weak nerves and a probable block counted in exactly one
/// nerve, fewer than two supportive criteria met, but met plus not provided at least two, the result is
/// insufficient data naming the supportive tests not provided, instead of criteria-not-met. Item 9: an
/// equivocal anti-GM1 counts as not provided there, and its test is a repeat.
/// </summary>
public sealed class SupportiveTestsNotDoneTests
{
    public enum S
    {
        /// <summary>Not provided.</summary>
        None,
        Met,
        NotMet,
        Equivocal,
    }

    private static Case ProbableBlockInOneNerve(S antiGm1, S csf, S mri, S ivig, int? weakNerves = 2)
    {
        var patient = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left);
        switch (antiGm1)
        {
            case S.Met:
                patient.WithAntiGm1(AntiGm1.Raised);
                break;
            case S.NotMet:
                patient.WithAntiGm1(AntiGm1.NotRaised);
                break;
            case S.Equivocal:
                patient.WithAntiGm1(AntiGm1.Quantity(48m, 50m, LabInterpretation.Equivocal));
                break;
            default:
                break;
        }

        bool? Flag(S s) => s switch { S.Met => true, S.NotMet => false, _ => null };
        return patient.WithClinical(Clinical.Typical with
        {
            WeakNerveCount = weakNerves,
            CsfProtein = csf switch { S.Met => new CsfProtein(0.7m, null, "csf"), S.NotMet => new CsfProtein(0.3m, null, "csf"), _ => null },
            MriPlexusT2Hyperintensity = Flag(mri),
            IvigResponse = Flag(ivig),
        });
    }

    /// <summary>Rows: anti-GM1, CSF, MRI, IVIg response; the category; the tests named (in that order).</summary>
    public static TheoryData<string, S, S, S, S, MmnCategory, DecidingTest[]> Rows => new()
    {
        { "none done: insufficient, all four named", S.None, S.None, S.None, S.None, MmnCategory.InsufficientData,
            [DecidingTest.AntiGm1, DecidingTest.CsfProtein, DecidingTest.PlexusMri, DecidingTest.IvigTrial] },
        { "anti-GM1 raised, the rest not done: insufficient, three named", S.Met, S.None, S.None, S.None, MmnCategory.InsufficientData,
            [DecidingTest.CsfProtein, DecidingTest.PlexusMri, DecidingTest.IvigTrial] },
        { "anti-GM1 raised, CSF and MRI negative, no IVIg trial: met 1 + not done 1 = 2, insufficient", S.Met, S.NotMet, S.NotMet, S.None, MmnCategory.InsufficientData,
            [DecidingTest.IvigTrial] },
        { "anti-GM1 not raised, CSF and MRI negative, no IVIg trial: met 0 + not done 1 = 1, criteria not met", S.NotMet, S.NotMet, S.NotMet, S.None, MmnCategory.CriteriaNotMet, [] },
        { "anti-GM1 not raised, CSF and MRI not done, no IVIg response: 0 + 2 = 2, insufficient", S.NotMet, S.None, S.None, S.NotMet, MmnCategory.InsufficientData,
            [DecidingTest.CsfProtein, DecidingTest.PlexusMri] },
        { "all four done, one met: criteria not met", S.Met, S.NotMet, S.NotMet, S.NotMet, MmnCategory.CriteriaNotMet, [] },
        { "two met: probable, nothing left to decide", S.Met, S.Met, S.None, S.None, MmnCategory.Probable, [] },
        { "equivocal anti-GM1, MRI met, the rest negative: 1 + 1 = 2, insufficient, a repeat named", S.Equivocal, S.NotMet, S.Met, S.NotMet, MmnCategory.InsufficientData,
            [DecidingTest.AntiGm1Repeat] },
        { "equivocal anti-GM1, the rest negative: 0 + 1, criteria not met", S.Equivocal, S.NotMet, S.NotMet, S.NotMet, MmnCategory.CriteriaNotMet, [] },
        { "IVIg response, the rest not done: possible by rule 4 first, the tests still named", S.None, S.None, S.None, S.Met, MmnCategory.Possible,
            [DecidingTest.AntiGm1, DecidingTest.CsfProtein, DecidingTest.PlexusMri] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_probable_block_in_one_nerve_with_supportive_tests_not_done_names_them(
        string rule, S antiGm1, S csf, S mri, S ivig, MmnCategory category, DecidingTest[] tests)
    {
        var result = ProbableBlockInOneNerve(antiGm1, csf, mri, ivig).Classify();

        Expect.Equal(category, result.Category, rule);
        var named = result.MissingData.Where(m => m.Kind == MissingDataKind.SupportiveTestNotDone).Select(m => m.Test).ToArray();
        Assert.True(tests.SequenceEqual(named), $"{rule}: named {string.Join(", ", named)}");
        Expect.Equal(tests.Length, result.MissingData.Count, rule);
        Assert.All(result.MissingData, m => Assert.False(string.IsNullOrWhiteSpace(m.WouldDecide)));
        if (category == MmnCategory.InsufficientData)
        {
            Assert.True(result.TypicalSegment(MotorNerve.Ulnar, Side.Left).Decided, rule);
        }
    }

    [Fact]
    public void With_weakness_in_one_nerve_the_supportive_tests_cannot_decide_and_are_not_named()
    {
        var result = ProbableBlockInOneNerve(S.None, S.None, S.None, S.None, weakNerves: 1).Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
        Assert.Empty(result.MissingData);
    }

    [Fact]
    public void With_an_exclusion_the_supportive_tests_are_not_named()
    {
        var result = ProbableBlockInOneNerve(S.None, S.None, S.None, S.None).WithClinical(Clinical.Typical with { MarkedBulbarInvolvement = true }).Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.Empty(result.MissingData);
    }

    [Fact]
    public void A_definite_block_in_one_nerve_needs_no_supportive_test()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Definite, result.Category);
        Assert.DoesNotContain(MissingDataKind.SupportiveTestNotDone, result.MissingKinds());
    }

    [Fact]
    public void Probable_blocks_in_two_nerves_need_no_supportive_test()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Probable, result.Category);
        Assert.Empty(result.MissingData);
    }

    [Fact]
    public void A_probable_block_whose_snap_is_missing_names_the_snap_and_the_supportive_tests()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.SnapMissingForBlock);
        Assert.Equal(4, result.MissingData.Count(m => m.Kind == MissingDataKind.SupportiveTestNotDone));
    }

    [Fact]
    public void A_probable_block_whose_sensory_conduction_across_is_not_established_names_both_studies()
    {
        // Counted, the block with two supportive tests done would still need them: both gaps decide.
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithLowSnap(SensoryNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.SensoryAcrossBlockNotEstablished);
        Assert.Equal(4, result.MissingData.Count(m => m.Kind == MissingDataKind.SupportiveTestNotDone));
    }

    [Fact]
    public void The_finding_names_the_block_and_says_how_many_supportive_criteria_are_met()
    {
        var result = ProbableBlockInOneNerve(S.Met, S.NotMet, S.NotMet, S.None).Classify();

        var finding = Assert.Single(result.MissingData);
        Assert.Contains("left ulnar", finding.Finding, StringComparison.Ordinal);
        Assert.Contains("1 met", finding.Finding, StringComparison.Ordinal);
        Assert.Equal("an objective response to an IVIg trial", finding.WouldDecide);
    }
}

/// <summary>
/// criteria revision 2 item 9 (docs/criteria.md): an anti-GM1 IgM flagged equivocal (E or IND) is reported as equivocal, a
/// state of its own; where a raised repeat could change the category, the plan proposes repeating it.
/// </summary>
public sealed class EquivocalAntiGm1Tests
{
    private static AntiGm1Quantity Result(LabInterpretation interpretation, string id) => new(id, interpretation, 48m, 50m);

    /// <summary>Rows: the results oldest first, and the state of the criterion.</summary>
    public static TheoryData<string, LabInterpretation[], CriterionStatus> HistoryRows => new()
    {
        { "equivocal alone: equivocal", [LabInterpretation.Equivocal], CriterionStatus.Equivocal },
        { "equivocal, then not raised: the repeat answered, not met", [LabInterpretation.Equivocal, LabInterpretation.NotRaised], CriterionStatus.NotMet },
        { "not raised, then equivocal: equivocal", [LabInterpretation.NotRaised, LabInterpretation.Equivocal], CriterionStatus.Equivocal },
        { "raised, then equivocal: a raised result meets it", [LabInterpretation.Raised, LabInterpretation.Equivocal], CriterionStatus.Met },
        { "equivocal, then raised: met", [LabInterpretation.Equivocal, LabInterpretation.Raised], CriterionStatus.Met },
        { "equivocal, then one the lab did not flag and the value cannot tell: still equivocal", [LabInterpretation.Equivocal, LabInterpretation.None], CriterionStatus.Equivocal },
    };

    [Theory]
    [MemberData(nameof(HistoryRows))]
    public void An_equivocal_result_is_equivocal_until_a_newer_result_answers_it(string rule, LabInterpretation[] history, CriterionStatus status)
    {
        var patient = Case.Patient().WithDefiniteBlock(MotorNerve.Ulnar, Side.Left).WithNormalSnap(SensoryNerve.Ulnar, Side.Left);
        for (var i = 0; i < history.Length; i++)
        {
            patient.WithAntiGm1(history[i] == LabInterpretation.None
                ? new AntiGm1Quantity($"gm1-{i}", LabInterpretation.None, 48m, null)
                : Result(history[i], $"gm1-{i}"));
        }

        var result = patient.WithClinical(Clinical.Typical).Classify();

        var criterion = result.Criterion(CriterionId.AntiGm1Raised);
        Expect.Equal(status, criterion.Status, rule);
        Expect.Equal(status == CriterionStatus.Equivocal, result.AntiGm1Equivocal, rule);
        Assert.True(criterion.Detail.Contains("equivocal", StringComparison.Ordinal), rule);
        Expect.Equal(MmnCategory.Definite, result.Category, rule);
        Expect.Equal(false, result.AntiGm1RepeatCouldDecide, rule);
    }

    [Fact]
    public void An_equivocal_anti_gm1_beside_a_possible_result_that_a_raised_one_would_make_probable_could_decide()
    {
        // One probable block, an IVIg response, CSF and MRI negative: possible MMN; raised anti-GM1 would be the second supportive criterion.
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(Result(LabInterpretation.Equivocal, "gm1"))
            .WithClinical(Clinical.Typical with { IvigResponse = true, CsfProtein = new CsfProtein(0.3m, null, "csf"), MriPlexusT2Hyperintensity = false })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
        Assert.True(result.AntiGm1Equivocal);
        Assert.True(result.AntiGm1RepeatCouldDecide);
        Assert.Equal(DecidingTest.AntiGm1Repeat, Assert.Single(result.MissingData).Test);
    }

    [Fact]
    public void A_not_raised_anti_gm1_in_the_same_case_is_possible_with_nothing_to_repeat()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(Result(LabInterpretation.NotRaised, "gm1"))
            .WithClinical(Clinical.Typical with { IvigResponse = true, CsfProtein = new CsfProtein(0.3m, null, "csf"), MriPlexusT2Hyperintensity = false })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
        Assert.False(result.AntiGm1Equivocal);
        Assert.False(result.AntiGm1RepeatCouldDecide);
        Assert.Empty(result.MissingData);
    }

    [Fact]
    public void An_equivocal_anti_gm1_with_criteria_not_met_for_an_exclusion_could_decide_nothing()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(Result(LabInterpretation.Equivocal, "gm1"))
            .WithClinical(Clinical.Typical with { UpperMotorNeuronSigns = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.True(result.AntiGm1Equivocal);
        Assert.False(result.AntiGm1RepeatCouldDecide);
    }
}

/// <summary>
/// What the report and the plan need to know (criteria revision 2 items 1 and 10, docs/criteria.md): which segments and
/// spans decided, the assumed findings in people's words, and the evidence the classifier refuses.
/// </summary>
public sealed class AssessmentContentTests
{
    [Fact]
    public void Only_the_block_that_decided_a_definite_result_is_marked_and_the_rest_read_as_context()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalConduction(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        var deciding = Assert.Single(result.DecidingSegments);
        Assert.Equal((MotorNerve.Ulnar, Side.Left), (deciding.Nerve, deciding.Side));
        Assert.True(result.Nerve(MotorNerve.Ulnar, Side.Left).Deciding!.Decided);
    }

    [Fact]
    public void Both_blocks_of_a_probable_result_in_two_nerves_are_marked()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal([MotorNerve.Median, MotorNerve.Ulnar], result.DecidingSegments.Select(s => s.Nerve).Order());
    }

    [Fact]
    public void The_segments_that_could_not_be_graded_are_marked_when_they_leave_the_result_undecided()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (StimulationSite.Wrist, 8m, null, null), (StimulationSite.Elbow, 7m, null, null))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.InsufficientData, result.Category);
        Assert.True(Assert.Single(result.Segments).Decided);
    }

    [Fact]
    public void Criteria_not_met_marks_no_segment()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical with { UpperMotorNeuronSigns = true })
            .Classify();

        Assert.Empty(result.DecidingSegments);
    }

    [Fact]
    public void Assumed_findings_are_named_in_peoples_words_not_codes()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .Classify();

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Equal(6, result.AssumedFindings.Count);
        var reason = result.Reasons[0];
        Assert.Contains("weakness in at least two nerves", reason, StringComparison.Ordinal);
        Assert.Contains("no diffuse symmetric weakness in the first weeks", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("weakness-nerve-count", string.Join(" ", result.Reasons), StringComparison.Ordinal);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_snap_stimulated_on_the_other_limb_is_refused()
    {
        var build = () => Case.Patient().WithSnap(SensoryNerve.Sural, Side.Left, 10m, 6m, StimulationSite.Elbow).Classify();

        Assert.Throws<ArgumentException>(build);
    }

    [Fact]
    public void Two_distal_snaps_of_one_nerve_and_side_are_refused_even_when_one_names_the_wrist()
    {
        var build = () => Case.Patient()
            .WithSnap(SensoryNerve.Median, Side.Left, 20m, 10m)
            .WithSnap(SensoryNerve.Median, Side.Left, 21m, 10m, StimulationSite.Wrist)
            .Classify();

        Assert.Throws<ArgumentException>(build);
    }

    [Fact]
    public void A_distal_and_a_segmental_snap_of_one_nerve_and_side_are_both_read()
    {
        var result = Case.Patient()
            .WithSnap(SensoryNerve.Median, Side.Left, 20m, 10m)
            .WithSnap(SensoryNerve.Median, Side.Left, 15m, 10m, StimulationSite.Elbow)
            .Classify();

        Assert.Equal([false, true], result.Snaps.Select(s => s.Segmental));
    }
}
