using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// docs/criteria.md, "Segments": consecutive reported sites of one study, distal to proximal; the
/// common entrapment sites are excluded; tibial segments are never graded.
/// </summary>
public sealed class SegmentTests
{
    /// <summary>
    /// Each row is a left-sided study of exactly two sites, with a drop that is a definite block wherever
    /// the nerve allows one: area 20 to 8 mV.ms (60 % smaller), duration 5 to 5.5 ms (10 % longer). The
    /// rest of the case (<see cref="Background"/>) makes the category follow the grade.
    /// </summary>
    public static TheoryData<string, MotorNerve, StimulationSite, StimulationSite, SegmentStatus, BlockGrade> SegmentRows => new()
    {
        { "ulnar forearm, wrist to below-elbow, is graded", MotorNerve.Ulnar, Wrist, BelowElbow, SegmentStatus.Graded, BlockGrade.Definite },
        { "ulnar below-elbow to above-elbow crosses the elbow", MotorNerve.Ulnar, BelowElbow, AboveElbow, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar wrist to above-elbow (below-elbow not reported) crosses the elbow", MotorNerve.Ulnar, Wrist, AboveElbow, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar wrist to axilla (no elbow sites reported) crosses the elbow", MotorNerve.Ulnar, Wrist, Axilla, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar below-elbow to Erb's point crosses the elbow", MotorNerve.Ulnar, BelowElbow, ErbPoint, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar wrist to elbow has the site elbow", MotorNerve.Ulnar, Wrist, Elbow, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar below-elbow to elbow has the site elbow", MotorNerve.Ulnar, BelowElbow, Elbow, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar elbow to above-elbow has the site elbow", MotorNerve.Ulnar, Elbow, AboveElbow, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar elbow to axilla has the site elbow", MotorNerve.Ulnar, Elbow, Axilla, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "ulnar above-elbow to axilla is graded", MotorNerve.Ulnar, AboveElbow, Axilla, SegmentStatus.Graded, BlockGrade.Definite },
        { "ulnar axilla to Erb's point is graded", MotorNerve.Ulnar, Axilla, ErbPoint, SegmentStatus.Graded, BlockGrade.Definite },
        { "ulnar above-elbow to Erb's point (axilla not reported) is graded", MotorNerve.Ulnar, AboveElbow, ErbPoint, SegmentStatus.Graded, BlockGrade.Definite },
        { "median wrist to elbow is graded", MotorNerve.Median, Wrist, Elbow, SegmentStatus.Graded, BlockGrade.Definite },
        { "median below-elbow to above-elbow is graded (the elbow rule is ulnar only)", MotorNerve.Median, BelowElbow, AboveElbow, SegmentStatus.Graded, BlockGrade.Definite },
        { "median elbow to axilla is graded", MotorNerve.Median, Elbow, Axilla, SegmentStatus.Graded, BlockGrade.Definite },
        { "median wrist to axilla (elbow not reported) is graded", MotorNerve.Median, Wrist, Axilla, SegmentStatus.Graded, BlockGrade.Definite },
        { "median axilla to Erb's point is graded", MotorNerve.Median, Axilla, ErbPoint, SegmentStatus.Graded, BlockGrade.Definite },
        { "radial elbow to axilla is graded, probable at most", MotorNerve.Radial, Elbow, Axilla, SegmentStatus.Graded, BlockGrade.Probable },
        { "radial axilla to Erb's point is graded, probable at most", MotorNerve.Radial, Axilla, ErbPoint, SegmentStatus.Graded, BlockGrade.Probable },
        { "peroneal ankle to below-fibular-head is graded", MotorNerve.Peroneal, Ankle, BelowFibularHead, SegmentStatus.Graded, BlockGrade.Definite },
        { "peroneal below- to above-fibular-head crosses the fibular head", MotorNerve.Peroneal, BelowFibularHead, AboveFibularHead, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "peroneal below-fibular-head to popliteal fossa crosses the fibular head", MotorNerve.Peroneal, BelowFibularHead, PoplitealFossa, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "peroneal ankle to above-fibular-head crosses the fibular head", MotorNerve.Peroneal, Ankle, AboveFibularHead, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "peroneal ankle to popliteal fossa crosses the fibular head", MotorNerve.Peroneal, Ankle, PoplitealFossa, SegmentStatus.EntrapmentSite, BlockGrade.None },
        { "peroneal above-fibular-head to popliteal fossa is graded", MotorNerve.Peroneal, AboveFibularHead, PoplitealFossa, SegmentStatus.Graded, BlockGrade.Definite },
        { "tibial ankle to popliteal fossa is never graded", MotorNerve.Tibial, Ankle, PoplitealFossa, SegmentStatus.NerveNotGraded, BlockGrade.None },
    };

    [Theory]
    [MemberData(nameof(SegmentRows))]
    public void Segment_between_two_reported_sites_is_graded_unless_an_entrapment_site_or_the_tibial_nerve_excludes_it(
        string rule, MotorNerve nerve, StimulationSite distal, StimulationSite proximal, SegmentStatus status, BlockGrade grade)
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(nerve, Side.Left, (distal, 8m, 20m, 5m), (proximal, 3.5m, 8m, 5.5m))
            .Classify();

        var segment = result.Segment(nerve, Side.Left, distal, proximal);
        Expect.Equal(status, segment.Status, rule);
        Expect.Equal(grade, segment.Grade, rule);
        Expect.Equal(grade, result.Nerve(nerve, Side.Left).Grade, rule);
        Expect.Equal(1, result.Segments.Count(s => s.Nerve == nerve && s.Side == Side.Left), rule);
        Expect.Equal(Background.CategoryFor(grade), result.Category, rule);
        if (status != SegmentStatus.Graded)
        {
            Assert.False(string.IsNullOrWhiteSpace(segment.Why), rule);
        }
    }

    [Fact]
    public void Only_consecutive_reported_sites_form_segments_of_an_ulnar_study_from_wrist_to_axilla()
    {
        var result = Case.Patient()
            .WithStudy(
                MotorNerve.Ulnar,
                Side.Right,
                (Wrist, 8m, 20m, 5m),
                (BelowElbow, 7.8m, 19.6m, 5.1m),
                (AboveElbow, 7.6m, 19.2m, 5.2m),
                (Axilla, 3m, 7.6m, 5.4m))
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(
            [(Wrist, BelowElbow, SegmentStatus.Graded), (BelowElbow, AboveElbow, SegmentStatus.EntrapmentSite), (AboveElbow, Axilla, SegmentStatus.Graded)],
            result.Segments.Select(s => (s.DistalSite, s.ProximalSite, s.Status)).Order());
        Assert.Equal(BlockGrade.Definite, result.Segment(MotorNerve.Ulnar, Side.Right, AboveElbow, Axilla).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Peroneal_study_across_the_fibular_head_grades_the_leg_and_the_thigh_but_not_the_fibular_head()
    {
        var result = Case.Patient()
            .WithStudy(
                MotorNerve.Peroneal,
                Side.Left,
                (Ankle, 6m, 16m, 5.5m),
                (BelowFibularHead, 5.8m, 15.5m, 5.6m),
                (AboveFibularHead, 2m, 5m, 5.8m),
                (PoplitealFossa, 1.9m, 4.9m, 5.9m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(
            [(Ankle, BelowFibularHead, SegmentStatus.Graded), (BelowFibularHead, AboveFibularHead, SegmentStatus.EntrapmentSite), (AboveFibularHead, PoplitealFossa, SegmentStatus.Graded)],
            result.Segments.Select(s => (s.DistalSite, s.ProximalSite, s.Status)).Order());
        Assert.Equal(BlockGrade.None, result.Nerve(MotorNerve.Peroneal, Side.Left).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void Sites_are_ordered_distal_to_proximal_whatever_order_the_lab_sends_them()
    {
        // Sent axilla, wrist, elbow. Elbow to axilla: area 19.5 to 8 (59 % smaller), duration 5.1 to 5.5 (8 % longer).
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Axilla, 3.5m, 8m, 5.5m), (Wrist, 8m, 20m, 5m), (Elbow, 7.8m, 19.5m, 5.1m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(
            [(Wrist, Elbow), (Elbow, Axilla)],
            result.SegmentsOnly().Select(s => (s.DistalSite, s.ProximalSite)).Order());
        var span = Assert.Single(result.Segments, s => s.Kind == SegmentKind.Span);
        Assert.Equal((Wrist, Axilla), (span.DistalSite, span.ProximalSite));
        Assert.Equal(BlockGrade.None, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Grade);
        Assert.Equal(BlockGrade.Definite, result.Segment(MotorNerve.Median, Side.Left, Elbow, Axilla).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_missing_intermediate_site_makes_one_longer_segment_that_still_finds_the_block()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Axilla, 3.5m, 9m, 5.6m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        var segment = Assert.Single(result.Segments);
        Assert.Equal((Wrist, Axilla), (segment.DistalSite, segment.ProximalSite));
        Assert.Equal(BlockGrade.Definite, segment.Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Segments_never_join_sites_of_two_studies_of_the_same_nerve()
    {
        // Study 1: wrist and elbow, normal. Study 2 (another day): axilla alone, with a small area that,
        // joined to the first study's elbow, would look like a definite block.
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 7.8m, 19.5m, 5.1m))
            .WithStudy(MotorNerve.Median, Side.Left, (Axilla, 3.5m, 8m, 5.5m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        var segment = Assert.Single(result.Segments);
        Assert.Equal((Wrist, Elbow), (segment.DistalSite, segment.ProximalSite));
        Assert.Equal(BlockGrade.None, result.Nerve(MotorNerve.Median, Side.Left).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void A_drop_across_the_ulnar_elbow_is_no_block_and_the_case_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Ulnar, Side.Left, (Wrist, 8m, 20m, 5m), (BelowElbow, 7.8m, 19.5m, 5.1m), (AboveElbow, 2.5m, 6m, 5.3m))
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.EntrapmentSite, result.Segment(MotorNerve.Ulnar, Side.Left, BelowElbow, AboveElbow).Status);
        Assert.Equal(BlockGrade.None, result.Nerve(MotorNerve.Ulnar, Side.Left).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void A_drop_in_the_tibial_nerve_is_no_block_and_the_case_is_criteria_not_met()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Tibial, Side.Right)
            .WithNormalConduction(MotorNerve.Median, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NerveNotGraded, result.TypicalSegment(MotorNerve.Tibial, Side.Right).Status);
        Assert.Equal(BlockGrade.None, result.Nerve(MotorNerve.Tibial, Side.Right).Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    /// <summary>
    /// Reading taken: a segment the criteria exclude (entrapment site) is not graded whatever its data,
    /// so missing area there is not a missing-data finding ("not gradeable" is the third condition's
    /// failure; measuring that segment could decide nothing).
    /// </summary>
    [Fact]
    public void An_ulnar_elbow_segment_without_area_is_excluded_not_missing_data()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Ulnar, Side.Left, (Wrist, 8m, 20m, 5m), (BelowElbow, 7.8m, 19.5m, 5.1m), (AboveElbow, 7.5m, null, null))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.EntrapmentSite, result.Segment(MotorNerve.Ulnar, Side.Left, BelowElbow, AboveElbow).Status);
        Assert.DoesNotContain(MissingDataKind.SegmentNotGradeable, result.MissingKinds());
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    /// <summary>Reading taken: as above, for the tibial nerve, whose segments the criteria never grade.</summary>
    [Fact]
    public void A_tibial_segment_without_area_is_not_graded_not_missing_data()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Tibial, Side.Left, (Ankle, 8m, null, null), (PoplitealFossa, 6m, null, null))
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NerveNotGraded, result.Segment(MotorNerve.Tibial, Side.Left, Ankle, PoplitealFossa).Status);
        Assert.DoesNotContain(MissingDataKind.SegmentNotGradeable, result.MissingKinds());
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }
}
