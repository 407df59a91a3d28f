using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// criteria revision 2 item 1 (docs/criteria.md): besides each pair of consecutive sites, every proximal site is compared
/// with the study's most distal site ("whatever the nerve segment length"); a span is graded by the same
/// rules, a span across an entrapment site is not graded, and the nerve takes the best grade of its
/// segments and spans, naming the one that gave it.
/// </summary>
public sealed class SpanTests
{
    /// <summary>
    /// The case: a left median study losing 25 %, 27 % and 18 % of its area in turn from the wrist
    /// to Erb's point (55.1 % in all), duration 5 to 5.6 ms (+12 %). Normal SNAPs, typical clinical picture.
    /// </summary>
    private static Case GradualLoss() => Case.Patient()
        .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 6m, 15m, 5.2m), (Axilla, 4.4m, 10.95m, 5.4m), (ErbPoint, 3.6m, 8.979m, 5.6m))
        .WithNormalUpperLimbSnaps(Side.Left)
        .WithClinical(Clinical.Typical);

    [Fact]
    public void A_gradual_loss_of_25_27_and_18_percent_from_wrist_to_erbs_point_is_a_definite_block_over_the_span()
    {
        var result = GradualLoss().Classify();

        Assert.All(result.SegmentsOnly(), s => Assert.Equal((SegmentStatus.Graded, BlockGrade.None), (s.Status, s.Grade)));
        Assert.Equal(BlockGrade.Probable, result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Grade);
        var span = result.Span(MotorNerve.Median, Side.Left, Wrist, ErbPoint);
        Assert.Equal(BlockGrade.Definite, span.Grade);
        Assert.Equal(55.105m, span.AreaReductionPercent);
        var median = result.Nerve(MotorNerve.Median, Side.Left);
        Assert.Equal(BlockGrade.Definite, median.Grade);
        Assert.Equal((SegmentKind.Span, Wrist, ErbPoint), (median.Deciding!.Kind, median.Deciding.DistalSite, median.Deciding.ProximalSite));
        Assert.Equal(MmnCategory.Definite, result.Category);
        Assert.Contains("span wrist to Erb's point", string.Join(" ", result.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_gradual_loss_without_its_spans_would_have_been_criteria_not_met_so_the_span_decides()
    {
        var result = GradualLoss().Classify();

        var deciding = Assert.Single(result.DecidingSegments);
        Assert.Equal((SegmentKind.Span, Wrist, ErbPoint), (deciding.Kind, deciding.DistalSite, deciding.ProximalSite));
        Assert.DoesNotContain(result.SegmentsOnly(), s => s.Decided);
    }

    /// <summary>
    /// Rows: the area and duration at Erb's point of a left median study whose segments, and whose span
    /// to the axilla, each lose less than 30 % (wrist 20 mV.ms, elbow 17, axilla 14.1; 5 ms at every site
    /// but Erb's point), and the grade of the span wrist to Erb's point. Background: two supportive
    /// criteria, so the category follows the grade.
    /// </summary>
    public static TheoryData<string, decimal, decimal, BlockGrade> SpanBoundaryRows => new()
    {
        { "span exactly 50 % smaller, duration exactly 30 % longer: definite", 10m, 6.5m, BlockGrade.Definite },
        { "span 49.99 % smaller: probable by the 30 % criterion over a long span", 10.002m, 6.5m, BlockGrade.Probable },
        { "span 50 % smaller, 30.01 % longer: probable by the 50 % criterion", 10m, 6.5005m, BlockGrade.Probable },
        { "span 30 % smaller: probable", 14m, 5m, BlockGrade.Probable },
        { "span 29.99 % smaller: no block", 14.002m, 5m, BlockGrade.None },
    };

    [Theory]
    [MemberData(nameof(SpanBoundaryRows))]
    public void A_span_is_graded_by_the_same_thresholds_as_a_segment(string rule, decimal erbArea, decimal erbDuration, BlockGrade grade)
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 6.8m, 17m, 5m), (Axilla, 5.6m, 14.1m, 5m), (ErbPoint, 4m, erbArea, erbDuration))
            .Classify();

        var span = result.Span(MotorNerve.Median, Side.Left, Wrist, ErbPoint);
        Expect.Equal(grade, span.Grade, rule);
        Expect.Equal(BlockGrade.None, result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Grade, rule);
        Assert.True(result.SegmentsOnly().Where(s => s.Nerve == MotorNerve.Median && s.Side == Side.Left).All(s => s.Grade == BlockGrade.None), rule);
        Expect.Equal(grade, result.Nerve(MotorNerve.Median, Side.Left).Grade, rule);
        Expect.Equal(Background.CategoryFor(grade), result.Category, rule);
    }

    public static TheoryData<string, MotorNerve, StimulationSite[], (StimulationSite, StimulationSite)[]> SpanRows => new()
    {
        { "median wrist, elbow, axilla, Erb's point: spans from the wrist to the axilla and to Erb's point", MotorNerve.Median, [Wrist, Elbow, Axilla, ErbPoint], [(Wrist, Axilla), (Wrist, ErbPoint)] },
        { "median wrist and elbow: the one segment, no span", MotorNerve.Median, [Wrist, Elbow], [] },
        { "median below-elbow, elbow, above-elbow: a span within the elbow region", MotorNerve.Median, [BelowElbow, Elbow, AboveElbow], [(BelowElbow, AboveElbow)] },
        { "ulnar wrist to axilla: every span from the wrist crosses the elbow, none is graded", MotorNerve.Ulnar, [Wrist, BelowElbow, AboveElbow, Axilla], [] },
        { "ulnar wrist, below-elbow, above-elbow, axilla, Erb's point: still none", MotorNerve.Ulnar, [Wrist, BelowElbow, AboveElbow, Axilla, ErbPoint], [] },
        { "ulnar above-elbow, axilla, Erb's point: above the elbow the span is graded", MotorNerve.Ulnar, [AboveElbow, Axilla, ErbPoint], [(AboveElbow, ErbPoint)] },
        { "peroneal ankle to popliteal fossa: every span from the ankle crosses the fibular head", MotorNerve.Peroneal, [Ankle, BelowFibularHead, AboveFibularHead, PoplitealFossa], [] },
        { "radial wrist, elbow, axilla: a span", MotorNerve.Radial, [Wrist, Elbow, Axilla], [(Wrist, Axilla)] },
        { "tibial: no span, tibial segments are never graded", MotorNerve.Tibial, [Ankle, BelowFibularHead, PoplitealFossa], [] },
    };

    [Theory]
    [MemberData(nameof(SpanRows))]
    public void Spans_join_the_most_distal_site_to_each_site_two_or_more_further_up_unless_they_cross_an_entrapment_site(
        string rule, MotorNerve nerve, StimulationSite[] sites, (StimulationSite, StimulationSite)[] spans)
    {
        var result = Case.Patient()
            .WithStudy(nerve, Side.Left, [.. sites.Select(site => (site, (decimal?)8m, (decimal?)20m, (decimal?)5m))])
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.True(
            spans.SequenceEqual(result.Segments.Where(s => s.Kind == SegmentKind.Span).Select(s => (s.DistalSite, s.ProximalSite)).Order()),
            rule);
        Expect.Equal(sites.Length - 1, result.SegmentsOnly().Count(), rule);
    }

    [Fact]
    public void A_span_is_not_assessable_when_its_distal_site_is_below_the_floor_and_adds_no_missing_data_of_its_own()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 1.0m, 20m, 5m), (Elbow, 0.9m, 19m, 5m), (Axilla, 0.4m, 8m, 5.2m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NotAssessable, result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Status);
        Assert.Equal(2, result.MissingData.Count(m => m.Kind == MissingDataKind.SegmentNotAssessable));
        result.AssertInsufficientBecause(MissingDataKind.SegmentNotAssessable);
    }

    [Fact]
    public void A_span_without_area_at_its_proximal_site_is_not_gradeable_and_its_segment_names_what_is_missing()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 7.6m, 19m, 5.1m), (Axilla, 3m, null, null))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NotGradeable, result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Status);
        var missing = Assert.Single(result.MissingData);
        Assert.Contains("elbow to axilla", missing.Finding, StringComparison.Ordinal);
        Assert.Equal(DecidingTest.CmapAreaAndDuration, missing.Test);
    }

    [Fact]
    public void A_block_found_by_a_segment_and_by_the_span_over_it_is_named_by_the_segment()
    {
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 3.5m, 8m, 5.5m), (Axilla, 3.4m, 7.8m, 5.6m))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(BlockGrade.Definite, result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Grade);
        var deciding = result.Nerve(MotorNerve.Median, Side.Left).Deciding!;
        Assert.Equal((SegmentKind.Segment, Wrist, Elbow), (deciding.Kind, deciding.DistalSite, deciding.ProximalSite));
        Assert.True(deciding.Decided);
        Assert.False(result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla).Decided);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Spans_start_only_at_the_most_distal_site_so_elbow_to_erbs_point_is_not_one()
    {
        var result = GradualLoss().Classify();

        Assert.DoesNotContain(result.Segments, s => s.DistalSite == Elbow && s.ProximalSite == ErbPoint);
        Assert.DoesNotContain(result.Segments, s => s.DistalSite == Elbow && s.ProximalSite == Axilla && s.Kind == SegmentKind.Span);
    }
}
