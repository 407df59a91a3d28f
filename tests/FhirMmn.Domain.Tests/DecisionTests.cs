using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>docs/criteria.md, "Decision, in this order (the first that holds)".</summary>
public sealed class DecisionTests
{
    [Fact]
    public void Definite_block_in_one_forearm_segment_gives_definite_mmn()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Definite, result.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, result.Basis);
        Assert.Equal(CriterionStatus.Met, result.Criterion(CriterionId.DefiniteConductionBlock).Status);
        Assert.NotEmpty(result.Reasons);
    }

    [Fact]
    public void Definite_block_beside_missing_data_elsewhere_is_still_definite()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithStudy(MotorNerve.Median, Side.Right, (Wrist, 7m, null, null), (Elbow, 6.5m, null, null))
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Contains(MissingDataKind.SegmentNotGradeable, result.MissingKinds());
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Definite_and_probable_blocks_together_are_definite_the_first_rule_that_holds()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Probable_blocks_in_two_nerves_give_probable_mmn()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    [Fact]
    public void Left_and_right_ulnar_are_two_nerves_so_blocks_in_both_give_probable_mmn()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Ulnar, Side.Right)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    /// <summary>
    /// Section 4.1 item 1 changed this row, which used a median study whose two probable segments make a
    /// definite span from the wrist (now GradualLoss rows). Two probable segments with an entrapment site
    /// between them (so no span joins them) are still a block in one nerve.
    /// </summary>
    [Fact]
    public void Probable_blocks_in_two_segments_of_one_nerve_are_a_block_in_one_nerve()
    {
        // Left ulnar: wrist to below-elbow 40 % smaller, the elbow excluded, above-elbow to axilla 40 % smaller again.
        var result = Case.Patient()
            .WithStudy(MotorNerve.Ulnar, Side.Left, (Wrist, 8m, 20m, 5m), (BelowElbow, 5m, 12m, 5.2m), (AboveElbow, 5m, 12m, 5.2m), (Axilla, 3m, 7.2m, 5.4m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .WithNoSupportiveCriterion()
            .Classify();

        Assert.Equal(BlockGrade.Probable, result.Segment(MotorNerve.Ulnar, Side.Left, Wrist, BelowElbow).Grade);
        Assert.Equal(BlockGrade.Probable, result.Segment(MotorNerve.Ulnar, Side.Left, AboveElbow, Axilla).Grade);
        Assert.DoesNotContain(result.Segments, s => s.Kind == SegmentKind.Span);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    /// <summary>Section 4.1 item 3 changed this row: the supportive tests are now done (and none met), else they would decide.</summary>
    [Fact]
    public void Probable_blocks_in_two_studies_of_the_same_nerve_and_side_are_a_block_in_one_nerve()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .WithNoSupportiveCriterion()
            .Classify();

        Assert.Equal(BlockGrade.Probable, result.Nerve(MotorNerve.Median, Side.Left).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    public static TheoryData<string, bool, bool, bool, bool, MmnCategory> SupportiveRows => new()
    {
        { "anti-GM1 and CSF: probable", true, true, false, false, MmnCategory.Probable },
        { "MRI and IVIg response: probable", false, false, true, true, MmnCategory.Probable },
        { "anti-GM1 and MRI: probable", true, false, true, false, MmnCategory.Probable },
        { "all four: probable", true, true, true, true, MmnCategory.Probable },
        { "anti-GM1 alone: criteria not met", true, false, false, false, MmnCategory.CriteriaNotMet },
        { "CSF alone: criteria not met", false, true, false, false, MmnCategory.CriteriaNotMet },
        { "MRI alone: criteria not met", false, false, true, false, MmnCategory.CriteriaNotMet },
        { "IVIg response alone, sensory conduction normal: possible (rule 4)", false, false, false, true, MmnCategory.Possible },
        { "none: criteria not met", false, false, false, false, MmnCategory.CriteriaNotMet },
    };

    [Theory]
    [MemberData(nameof(SupportiveRows))]
    public void Probable_block_in_one_nerve_needs_two_supportive_criteria_for_probable_mmn(
        string rule, bool antiGm1, bool csf, bool mri, bool ivig, MmnCategory category)
    {
        var patient = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(antiGm1 ? AntiGm1.Raised : AntiGm1.NotRaised)
            .WithClinical(Clinical.Typical with
            {
                CsfProtein = new CsfProtein(csf ? 0.7m : 0.3m, 0.45m, "csf"),
                MriPlexusT2Hyperintensity = mri,
                IvigResponse = ivig,
            });

        Expect.Equal(category, patient.Classify().Category, rule);
    }

    [Fact]
    public void Two_weak_nerves_normal_upper_limb_sensory_conduction_and_ivig_response_give_possible_mmn_without_a_block()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalConduction(MotorNerve.Ulnar, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Right)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(CriterionStatus.Met, result.Criterion(CriterionId.NormalSensoryConduction).Status);
        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    [Fact]
    public void Ivig_response_with_one_normal_upper_limb_snap_is_enough_for_possible_mmn()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Radial, Side.Left)
            .WithLowSnap(SensoryNerve.Sural, Side.Left)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    [Fact]
    public void Ivig_response_without_any_upper_limb_snap_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Sural, Side.Left)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.NotEqual(CriterionStatus.Met, result.Criterion(CriterionId.NormalSensoryConduction).Status);
        result.AssertInsufficientBecause(MissingDataKind.NoUpperLimbSnap);
    }

    [Fact]
    public void Ivig_response_with_one_low_upper_limb_snap_among_normal_ones_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithLowSnap(SensoryNerve.Ulnar, Side.Right)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(CriterionStatus.NotMet, result.Criterion(CriterionId.NormalSensoryConduction).Status);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Ivig_response_with_weakness_in_one_nerve_only_and_no_block_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1, IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Normal_sensory_conduction_without_ivig_response_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { IvigResponse = false })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    /// <summary>Rule 4 asks for no block and comes before rule 5, which names "no motor study".</summary>
    [Fact]
    public void Ivig_response_route_to_possible_mmn_needs_no_motor_study()
    {
        var result = Case.Patient()
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    [Fact]
    public void Weakness_in_exactly_one_nerve_with_a_probable_block_gives_possible_mmn()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    [Fact]
    public void Weakness_in_exactly_one_nerve_with_a_block_and_two_supportive_criteria_stays_possible()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1, MriPlexusT2Hyperintensity = true })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    /// <summary>
    /// Section 4.1 item 4 changed this row (was criteria-not-met): the low median SNAP leaves sensory
    /// conduction across the block not established, and counting the block would make possible MMN.
    /// </summary>
    [Fact]
    public void Weakness_in_exactly_one_nerve_with_a_block_whose_distal_snap_is_low_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Right)
            .WithLowSnap(SensoryNerve.Median, Side.Right)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Right)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.SensoryAcrossBlockNotEstablished);
        var finding = Assert.Single(result.MissingData);
        Assert.Equal(DecidingTest.SensoryStudyAcrossBlock, finding.Test);
        Assert.Contains("carpal tunnel", finding.WouldDecide, StringComparison.Ordinal);
    }

    [Fact]
    public void Weakness_in_exactly_one_nerve_with_a_block_whose_segmental_snap_across_it_is_low_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Right)
            .WithLowSnap(SensoryNerve.Median, Side.Right)
            .WithSnap(SensoryNerve.Median, Side.Right, 4m, 10m, Elbow)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Right)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        Assert.Equal(SensoryCheck.Low, result.Nerve(MotorNerve.Median, Side.Right).Sensory);
        Assert.Empty(result.MissingData);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Weakness_in_exactly_one_nerve_without_a_block_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Peroneal_probable_block_with_two_supportive_criteria_and_no_snaps_gives_probable_mmn()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Peroneal, Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    /// <summary>Rule 5 lists "no upper-limb SNAP at all" among the missing-data findings, unconditionally.</summary>
    [Fact]
    public void Peroneal_probable_block_alone_and_no_upper_limb_snap_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Peroneal, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.NoUpperLimbSnap);
    }

    [Fact]
    public void A_peroneal_block_and_an_ulnar_block_are_blocks_in_two_nerves()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Peroneal, Side.Right)
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    [Fact]
    public void A_counting_block_with_two_supportive_criteria_is_probable_even_beside_a_block_whose_snap_is_missing()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { CsfProtein = new CsfProtein(0.7m, null, "csf") })
            .Classify();

        Assert.Equal(SensoryCheck.Missing, result.Nerve(MotorNerve.Ulnar, Side.Left).Sensory);
        Assert.Contains(MissingDataKind.SnapMissingForBlock, result.MissingKinds());
        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    [Fact]
    public void Weakness_in_exactly_one_nerve_with_a_block_whose_snap_is_missing_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.SnapMissingForBlock);
    }

    [Fact]
    public void Ivig_response_route_accepts_an_upper_limb_snap_exactly_at_its_lower_limit()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithSnap(SensoryNerve.Median, Side.Left, 10m, 10m)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
    }

    [Fact]
    public void Ivig_response_route_with_the_clinical_findings_assumed_is_possible_on_an_assumed_basis()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(new ClinicalFindings { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.Possible, result.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
    }

    /// <summary>
    /// Reading taken: an upper-limb SNAP without its lower limit cannot be called normal, so "all of
    /// them normal" is undecided; rule 5 (any missing-data finding) then gives insufficient-data.
    /// </summary>
    [Fact]
    public void Ivig_response_route_with_an_upper_limb_snap_lacking_its_lower_limit_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithSnap(SensoryNerve.Ulnar, Side.Left, 20m, null)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.UpperLimbSnapIncomplete);
    }

    [Fact]
    public void An_upper_limb_snap_lacking_its_lower_limit_without_an_ivig_response_decides_nothing_so_criteria_are_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithSnap(SensoryNerve.Ulnar, Side.Left, 20m, null)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.DoesNotContain(result.MissingData, m => m.Kind == MissingDataKind.UpperLimbSnapIncomplete);
    }

    [Fact]
    public void An_upper_limb_snap_lacking_its_lower_limit_beside_a_low_one_decides_nothing_so_criteria_are_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithSnap(SensoryNerve.Ulnar, Side.Left, 20m, null)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.Empty(result.MissingData);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1000000.1)]
    [InlineData(0.00000000001)]
    public void A_conduction_value_outside_the_plausible_range_is_refused_rather_than_miscomputed(decimal area)
    {
        var build = () => Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (StimulationSite.Wrist, 8m, area, 5m), (StimulationSite.Elbow, 7m, 10m, 5m))
            .Classify();

        Assert.Throws<ArgumentOutOfRangeException>(build);
    }

    public static TheoryData<string, MotorNerve, StimulationSite[]> NothingGradeableRows => new()
    {
        { "a tibial study only", MotorNerve.Tibial, [Ankle, PoplitealFossa] },
        { "an ulnar study across the elbow only", MotorNerve.Ulnar, [BelowElbow, AboveElbow] },
        { "a peroneal study across the fibular head only", MotorNerve.Peroneal, [BelowFibularHead, PoplitealFossa] },
        { "a median study of one site", MotorNerve.Median, [Wrist] },
    };

    /// <summary>
    /// Reading taken: decision rule 5 (docs/criteria.md) lists "no motor study"; motor studies none of whose segments the
    /// criteria could grade leave the case just as undecided (MissingDataKind.NoSegmentToGrade).
    /// </summary>
    [Theory]
    [MemberData(nameof(NothingGradeableRows))]
    public void Motor_studies_with_no_segment_the_criteria_can_grade_are_insufficient_data(string rule, MotorNerve nerve, StimulationSite[] sites)
    {
        var result = Case.Patient()
            .WithStudy(nerve, Side.Left, [.. sites.Select(site => (site, (decimal?)8m, (decimal?)20m, (decimal?)5m))])
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Expect.Equal(MmnCategory.InsufficientData, result.Category, rule);
        Assert.True(result.MissingKinds().Contains(MissingDataKind.NoSegmentToGrade), rule);
    }

    [Fact]
    public void No_motor_study_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical)
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.NoMotorStudy);
    }

    [Fact]
    public void Normal_motor_studies_without_any_upper_limb_snap_are_insufficient_data()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalConduction(MotorNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        result.AssertInsufficientBecause(MissingDataKind.NoUpperLimbSnap);
    }

    [Fact]
    public void A_block_whose_snap_is_not_in_the_data_is_insufficient_data()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.Missing, result.Nerve(MotorNerve.Ulnar, Side.Left).Sensory);
        result.AssertInsufficientBecause(MissingDataKind.SnapMissingForBlock);
    }

    [Fact]
    public void A_block_hidden_behind_a_distal_cmap_below_the_floor_is_insufficient_data()
    {
        // The drop would be a definite block, but the distal CMAP (1.0 mV) is not above 1 mV.
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 1.0m, 3m, 5m), (Elbow, 0.4m, 1.2m, 5.5m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NotAssessable, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Status);
        result.AssertInsufficientBecause(MissingDataKind.SegmentNotAssessable);
    }

    [Fact]
    public void Normal_studies_and_normal_snaps_in_two_weak_nerves_are_criteria_not_met()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalConduction(MotorNerve.Ulnar, Side.Left)
            .WithNormalConduction(MotorNerve.Peroneal, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true })
            .Classify();

        Assert.False(result.MissingDataPresent);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.NotEmpty(result.Reasons);
    }

    [Fact]
    public void Upper_motor_neuron_signs_win_over_missing_data()
    {
        var result = Case.Patient()
            .WithClinical(Clinical.Typical with { UpperMotorNeuronSigns = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.True(result.UpperMotorNeuronOrBulbarSigns);
    }

    [Fact]
    public void Objective_sensory_loss_wins_over_the_ivig_route_to_possible()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { ObjectiveSensoryLoss = true, IvigResponse = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Weakness_of_one_month_wins_over_probable_blocks_in_two_nerves()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { WeaknessDurationDays = Clinical.DaysPerMonth })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Marked_bulbar_involvement_wins_over_a_block_with_one_weak_nerve()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1, MarkedBulbarInvolvement = true })
            .Classify();

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Definite_block_with_no_clinical_findings_is_definite_on_an_assumed_basis()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .Classify();

        Assert.Equal(MmnCategory.Definite, result.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
    }
}
