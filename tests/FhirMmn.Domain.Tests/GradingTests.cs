using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// docs/criteria.md, "Grades": area reduction = (distal - proximal) / distal, duration increase =
/// (proximal - distal) / distal, in exact decimal arithmetic; definite needs &gt;= 50 % and &lt;= 30 % in
/// median, ulnar or peroneal; probable is &gt;= 50 % with &gt; 30 % anywhere graded, or &gt;= 30 % with
/// &lt;= 30 % in the upper limb. And the gradeability floors: area and duration at both sites, distal
/// amplitude &gt; 20 % of the lower limit of normal and &gt; 1 mV.
/// </summary>
public sealed class GradingTests
{
    /// <summary>
    /// Rows: nerve, distal area, proximal area (mV.ms), distal duration, proximal duration (ms), grade.
    /// Several rows use decimals that binary floating point puts on the wrong side of the boundary.
    /// </summary>
    public static TheoryData<string, MotorNerve, decimal, decimal, decimal, decimal, BlockGrade> GradeRows => new()
    {
        { "median 60 % smaller, 10 % longer: definite", MotorNerve.Median, 20m, 8m, 5m, 5.5m, BlockGrade.Definite },
        { "median exactly 50 % smaller, exactly 30 % longer: definite", MotorNerve.Median, 20m, 10m, 5m, 6.5m, BlockGrade.Definite },
        { "median 10.2 to 5.1 (50 %), 4.6 to 5.98 ms (30 %, above 30 % in binary floating point): definite", MotorNerve.Median, 10.2m, 5.1m, 4.6m, 5.98m, BlockGrade.Definite },
        { "ulnar 0.3 to 0.15 (50 %), 2.3 to 2.99 ms (30 %, above 30 % in binary floating point): definite", MotorNerve.Ulnar, 0.3m, 0.15m, 2.3m, 2.99m, BlockGrade.Definite },
        { "median exactly 50 % smaller, duration 10 % shorter proximally: definite", MotorNerve.Median, 20m, 10m, 5m, 4.5m, BlockGrade.Definite },
        { "median 49.99 % smaller, same duration: probable, not definite", MotorNerve.Median, 10m, 5.001m, 5m, 5m, BlockGrade.Probable },
        { "median exactly 50 % smaller, 30.01 % longer: probable", MotorNerve.Median, 10m, 5m, 10m, 13.001m, BlockGrade.Probable },
        { "median 99 % smaller, 200 % longer: probable", MotorNerve.Median, 10m, 0.1m, 5m, 15m, BlockGrade.Probable },
        { "median 7.0 to 4.9 (exactly 30 %, below 30 % in binary floating point): probable", MotorNerve.Median, 7.0m, 4.9m, 5m, 5m, BlockGrade.Probable },
        { "ulnar 14 to 9.8 (exactly 30 %) and 3.8 to 4.94 ms (exactly 30 %): probable", MotorNerve.Ulnar, 14m, 9.8m, 3.8m, 4.94m, BlockGrade.Probable },
        { "ulnar 40 % smaller, 10 % longer: probable", MotorNerve.Ulnar, 20m, 12m, 5m, 5.5m, BlockGrade.Probable },
        { "median 29.99 % smaller: no block", MotorNerve.Median, 10m, 7.001m, 5m, 5m, BlockGrade.None },
        { "median exactly 30 % smaller, 30.01 % longer: no block", MotorNerve.Median, 10m, 7m, 10m, 13.001m, BlockGrade.None },
        { "median 49.99 % smaller, 30.01 % longer: no block", MotorNerve.Median, 10m, 5.001m, 10m, 13.001m, BlockGrade.None },
        { "median 49.9999 % smaller: probable, not definite", MotorNerve.Median, 10m, 5.00001m, 5m, 5m, BlockGrade.Probable },
        { "median 29.9999 % smaller: no block", MotorNerve.Median, 10m, 7.00001m, 5m, 5m, BlockGrade.None },
        { "median 50 % smaller, 30.0001 % longer: probable", MotorNerve.Median, 10m, 5m, 10m, 13.00001m, BlockGrade.Probable },
        { "median 30 % smaller, 30.0001 % longer: no block", MotorNerve.Median, 10m, 7m, 10m, 13.00001m, BlockGrade.None },
        { "median area larger proximally: no block", MotorNerve.Median, 10m, 11m, 5m, 5m, BlockGrade.None },
        { "radial 60 % smaller, 10 % longer: probable, never definite", MotorNerve.Radial, 20m, 8m, 5m, 5.5m, BlockGrade.Probable },
        { "radial 60 % smaller, 40 % longer: probable", MotorNerve.Radial, 20m, 8m, 5m, 7m, BlockGrade.Probable },
        { "radial 7.0 to 4.9 (exactly 30 %): probable (upper limb)", MotorNerve.Radial, 7.0m, 4.9m, 5m, 5m, BlockGrade.Probable },
        { "radial 29.99 % smaller: no block", MotorNerve.Radial, 10m, 7.001m, 5m, 5m, BlockGrade.None },
        { "peroneal 60 % smaller, 10 % longer: definite", MotorNerve.Peroneal, 20m, 8m, 5m, 5.5m, BlockGrade.Definite },
        { "peroneal 10.2 to 5.1 (50 %), 4.6 to 5.98 ms (30 %): definite", MotorNerve.Peroneal, 10.2m, 5.1m, 4.6m, 5.98m, BlockGrade.Definite },
        { "peroneal 60 % smaller, 40 % longer: probable", MotorNerve.Peroneal, 20m, 8m, 5m, 7m, BlockGrade.Probable },
        { "peroneal 49.99 % smaller, same duration: no block (30-49 % is upper limb only)", MotorNerve.Peroneal, 10m, 5.001m, 5m, 5m, BlockGrade.None },
        { "peroneal 40 % smaller, 10 % longer: no block", MotorNerve.Peroneal, 20m, 12m, 5m, 5.5m, BlockGrade.None },
        { "peroneal 7.0 to 4.9 (exactly 30 %): no block", MotorNerve.Peroneal, 7.0m, 4.9m, 5m, 5m, BlockGrade.None },
    };

    [Theory]
    [MemberData(nameof(GradeRows))]
    public void Block_grade_follows_area_reduction_duration_increase_and_nerve(
        string rule, MotorNerve nerve, decimal distalArea, decimal proximalArea, decimal distalDuration, decimal proximalDuration, BlockGrade grade)
    {
        var (distal, proximal) = Case.TypicalSegment(nerve);
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(nerve, Side.Left, (distal, 8m, distalArea, distalDuration), (proximal, 4m, proximalArea, proximalDuration))
            .Classify();

        var segment = result.Segment(nerve, Side.Left, distal, proximal);
        Expect.Equal(SegmentStatus.Graded, segment.Status, rule);
        Expect.Equal(grade, segment.Grade, rule);
        Expect.Equal(grade, result.Nerve(nerve, Side.Left).Grade, rule);
        Expect.Equal(Background.CategoryFor(grade), result.Category, rule);
    }

    /// <summary>
    /// criteria revision 2 item 2 (docs/criteria.md): the 30 % criterion needs a long segment of an upper-limb nerve; a
    /// segment with both sites in the elbow region (below-elbow, elbow, above-elbow) is short. The 50 %
    /// criteria hold for any length. Rows: nerve, distal and proximal site, areas, durations, grade.
    /// Every ulnar segment in the elbow region crosses the elbow, so the short rows are median and radial.
    /// </summary>
    public static TheoryData<string, MotorNerve, StimulationSite, StimulationSite, decimal, decimal, decimal, decimal, BlockGrade> LengthRows => new()
    {
        { "median below-elbow to above-elbow, 40 % smaller: short, no block", MotorNerve.Median, BelowElbow, AboveElbow, 20m, 12m, 5m, 5.5m, BlockGrade.None },
        { "median below-elbow to elbow, exactly 30 % smaller: short, no block", MotorNerve.Median, BelowElbow, Elbow, 20m, 14m, 5m, 5m, BlockGrade.None },
        { "median elbow to above-elbow, 49.99 % smaller: short, no block", MotorNerve.Median, Elbow, AboveElbow, 10m, 5.001m, 5m, 5m, BlockGrade.None },
        { "median elbow to above-elbow, exactly 50 % smaller, 30 % longer: definite whatever the length", MotorNerve.Median, Elbow, AboveElbow, 20m, 10m, 5m, 6.5m, BlockGrade.Definite },
        { "median below-elbow to above-elbow, 50 % smaller, 30.01 % longer: probable whatever the length", MotorNerve.Median, BelowElbow, AboveElbow, 10m, 5m, 10m, 13.001m, BlockGrade.Probable },
        { "median wrist to below-elbow, exactly 30 % smaller: long (the wrist is outside the elbow region), probable", MotorNerve.Median, Wrist, BelowElbow, 20m, 14m, 5m, 5m, BlockGrade.Probable },
        { "median above-elbow to axilla, 40 % smaller: long, probable", MotorNerve.Median, AboveElbow, Axilla, 20m, 12m, 5m, 5.5m, BlockGrade.Probable },
        { "median elbow to axilla, 29.99 % smaller: long, no block", MotorNerve.Median, Elbow, Axilla, 10m, 7.001m, 5m, 5m, BlockGrade.None },
        { "radial elbow to above-elbow, 60 % smaller, 10 % longer: short, and radial reaches no definite, so no block", MotorNerve.Radial, Elbow, AboveElbow, 20m, 8m, 5m, 5.5m, BlockGrade.None },
        { "radial elbow to above-elbow, 60 % smaller, 40 % longer: probable by the 50 % criterion", MotorNerve.Radial, Elbow, AboveElbow, 20m, 8m, 5m, 7m, BlockGrade.Probable },
        { "radial wrist to elbow, 40 % smaller: long, probable", MotorNerve.Radial, Wrist, Elbow, 20m, 12m, 5m, 5.5m, BlockGrade.Probable },
    };

    [Theory]
    [MemberData(nameof(LengthRows))]
    public void The_thirty_percent_criterion_needs_a_long_segment_and_the_fifty_percent_criteria_hold_for_any_length(
        string rule, MotorNerve nerve, StimulationSite distal, StimulationSite proximal, decimal distalArea, decimal proximalArea, decimal distalDuration, decimal proximalDuration, BlockGrade grade)
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(nerve, Side.Left, (distal, 8m, distalArea, distalDuration), (proximal, 4m, proximalArea, proximalDuration))
            .Classify();

        var segment = result.Segment(nerve, Side.Left, distal, proximal);
        Expect.Equal(SegmentStatus.Graded, segment.Status, rule);
        Expect.Equal(distal.IsInElbowRegion() && proximal.IsInElbowRegion(), segment.IsShort, rule);
        Expect.Equal(grade, segment.Grade, rule);
        Expect.Equal(Background.CategoryFor(grade), result.Category, rule);
        if (segment.IsShort && grade == BlockGrade.None)
        {
            Assert.True(segment.Why.Contains("needs a long segment", StringComparison.Ordinal), rule);
        }
    }

    [Fact]
    public void A_short_span_within_the_elbow_region_does_not_reach_probable_by_the_thirty_percent_criterion()
    {
        // Median below-elbow, elbow, above-elbow: each segment 20 % smaller, the span 36 % smaller; all short.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (BelowElbow, 8m, 20m, 5m), (Elbow, 6.4m, 16m, 5m), (AboveElbow, 5.1m, 12.8m, 5m))
            .Classify();

        var span = result.Span(MotorNerve.Median, Side.Left, BelowElbow, AboveElbow);
        Assert.True(span.IsShort);
        Assert.Equal(BlockGrade.None, span.Grade);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Theory]
    [InlineData(49.9, "area increased 49.9 %")]
    [InlineData(10, "area increased 10.0 %")]
    public void An_area_that_rose_reads_area_increased_never_reduced_by_a_negative_percentage(decimal rise, string expected)
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 8m, 20m * (100m + rise) / 100m, 4.5m))
            .Classify();

        var segment = result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow);
        Assert.StartsWith(expected, segment.Why, StringComparison.Ordinal);
        Assert.Contains("duration decreased 10.0 %", segment.Why, StringComparison.Ordinal);
        Assert.DoesNotContain("-", segment.Why, StringComparison.Ordinal);
        Assert.Equal(-rise, segment.AreaReductionPercent);
    }

    [Fact]
    public void Exact_boundary_values_are_reported_exactly_fifty_and_thirty_percent()
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 10.2m, 4.6m), (Elbow, 4m, 5.1m, 5.98m))
            .Classify();

        var segment = result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow);
        Assert.Equal(50m, segment.AreaReductionPercent);
        Assert.Equal(30m, segment.DurationIncreasePercent);
        Assert.Equal(BlockGrade.Definite, segment.Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void Musculocutaneous_block_reaches_probable_at_most()
    {
        // A definite right ulnar block decides the category; the point is the musculocutaneous grade.
        var result = Background.WithTwoSupportiveCriteria()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Right)
            .WithDefiniteBlock(MotorNerve.Musculocutaneous, Side.Left)
            .Classify();

        Assert.Equal(BlockGrade.Probable, result.TypicalSegment(MotorNerve.Musculocutaneous, Side.Left).Grade);
        Assert.Equal(BlockGrade.Probable, result.Nerve(MotorNerve.Musculocutaneous, Side.Left).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_nerve_takes_the_best_grade_of_its_segments()
    {
        // Ulnar: wrist to below-elbow 40 % smaller (probable); the elbow excluded; above-elbow to axilla
        // 60 % smaller, 5 % longer (definite).
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(
                MotorNerve.Ulnar,
                Side.Left,
                (Wrist, 8m, 20m, 5m),
                (BelowElbow, 5m, 12m, 5.5m),
                (AboveElbow, 5m, 12m, 5.5m),
                (Axilla, 2m, 4.8m, 5.8m))
            .Classify();

        Assert.Equal(BlockGrade.Probable, result.Segment(MotorNerve.Ulnar, Side.Left, Wrist, BelowElbow).Grade);
        Assert.Equal(BlockGrade.Definite, result.Segment(MotorNerve.Ulnar, Side.Left, AboveElbow, Axilla).Grade);
        Assert.Equal(BlockGrade.Definite, result.Nerve(MotorNerve.Ulnar, Side.Left).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    /// <summary>
    /// Rows: lower limit of normal (mV), distal amplitude (mV), distal area, proximal area, distal
    /// duration, proximal duration, and what the segment is. The drop is a definite block whenever it is
    /// graded. Section 4.1 item 8: below the amplitude floor it is "not assessable (distal CMAP too low,
    /// axonal loss)", decided by other nerves; with a value not sent it is "not gradeable", decided by
    /// sending it.
    /// </summary>
    public static TheoryData<string, decimal?, decimal?, decimal?, decimal?, decimal?, decimal?, SegmentStatus> GradeabilityRows => new()
    {
        { "distal CMAP exactly 1.0 mV (limit 4 mV): not assessable", 4m, 1.0m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotAssessable },
        { "distal CMAP 1.01 mV (limit 4 mV): gradeable", 4m, 1.01m, 20m, 8m, 5m, 5.5m, SegmentStatus.Graded },
        { "distal CMAP exactly 20 % of a 6 mV limit (1.2 mV): not assessable", 6m, 1.2m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotAssessable },
        { "distal CMAP 1.2001 mV, limit 6 mV: gradeable", 6m, 1.2001m, 20m, 8m, 5m, 5.5m, SegmentStatus.Graded },
        { "distal CMAP exactly 20 % of a 5.6 mV limit (1.12 mV, above it in binary floating point): not assessable", 5.6m, 1.12m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotAssessable },
        { "distal CMAP 1.13 mV, limit 5.6 mV: gradeable", 5.6m, 1.13m, 20m, 8m, 5m, 5.5m, SegmentStatus.Graded },
        { "distal CMAP exactly 20 % of an 11.2 mV limit (2.24 mV): not assessable", 11.2m, 2.24m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotAssessable },
        { "distal CMAP 2.25 mV, limit 11.2 mV: gradeable", 11.2m, 2.25m, 20m, 8m, 5m, 5.5m, SegmentStatus.Graded },
        { "distal CMAP 0.9 mV: not assessable", 4m, 0.9m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotAssessable },
        { "no lower limit of normal: not gradeable (not sent)", null, 8m, 20m, 8m, 5m, 5.5m, SegmentStatus.NotGradeable },
        { "no distal amplitude: not gradeable (not sent)", 4m, null, 20m, 8m, 5m, 5.5m, SegmentStatus.NotGradeable },
        { "no distal area: not gradeable (not sent)", 4m, 8m, null, 8m, 5m, 5.5m, SegmentStatus.NotGradeable },
        { "no proximal area: not gradeable (not sent)", 4m, 8m, 20m, null, 5m, 5.5m, SegmentStatus.NotGradeable },
        { "no distal duration: not gradeable (not sent)", 4m, 8m, 20m, 8m, null, 5.5m, SegmentStatus.NotGradeable },
        { "no proximal duration: not gradeable (not sent)", 4m, 8m, 20m, 8m, 5m, null, SegmentStatus.NotGradeable },
    };

    [Theory]
    [MemberData(nameof(GradeabilityRows))]
    public void Segment_is_gradeable_only_with_area_and_duration_at_both_sites_and_assessable_only_with_a_distal_cmap_above_both_floors(
        string rule, decimal? lowerLimit, decimal? distalAmplitude, decimal? distalArea, decimal? proximalArea, decimal? distalDuration, decimal? proximalDuration, SegmentStatus status)
    {
        // The proximal CMAP is small (0.4 mV): only the distal amplitude is held against the floors.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, lowerLimit, (Wrist, distalAmplitude, distalArea, distalDuration), (Elbow, 0.4m, proximalArea, proximalDuration))
            .Classify();

        var segment = result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow);
        Expect.Equal(status, segment.Status, rule);
        if (status == SegmentStatus.Graded)
        {
            Expect.Equal(BlockGrade.Definite, segment.Grade, rule);
            Expect.Equal(MmnCategory.Definite, result.Category, rule);
            return;
        }

        Expect.Equal(BlockGrade.None, segment.Grade, rule);
        Expect.Equal(MmnCategory.InsufficientData, result.Category, rule);
        Assert.False(string.IsNullOrWhiteSpace(segment.Why), rule);
        var finding = Assert.Single(result.MissingData);
        var notAssessable = status == SegmentStatus.NotAssessable;
        Expect.Equal(notAssessable ? MissingDataKind.SegmentNotAssessable : MissingDataKind.SegmentNotGradeable, finding.Kind, rule);
        Expect.Equal(notAssessable ? DecidingTest.OtherNerves : DecidingTest.CmapAreaAndDuration, finding.Test, rule);
        Expect.Equal(notAssessable, segment.Why.StartsWith("not assessable (distal CMAP too low, axonal loss)", StringComparison.Ordinal), rule);
        Expect.Equal(!notAssessable, segment.Why.Contains("not sent", StringComparison.Ordinal), rule);
    }

    [Fact]
    public void The_floor_applies_to_the_distal_site_of_each_segment_not_to_the_most_distal_site_of_the_study()
    {
        // Wrist CMAP 0.9 mV: wrist to elbow (and the span to the axilla) not assessable. Elbow CMAP 5 mV: elbow to axilla gradeable,
        // 60 % smaller with 4 % longer duration, a definite block.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 0.9m, 2.5m, 5m), (Elbow, 5m, 12m, 5m), (Axilla, 2m, 4.8m, 5.2m))
            .Classify();

        Assert.Equal(SegmentStatus.NotAssessable, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Status);
        Assert.Equal(SegmentStatus.Graded, result.Segment(MotorNerve.Median, Side.Left, Elbow, Axilla).Status);
        Assert.Equal(BlockGrade.Definite, result.Nerve(MotorNerve.Median, Side.Left).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    /// <summary>
    /// Section 4.1 item 1 changed this row: the elbow CMAP (1.0 mV) leaves elbow to axilla not assessable,
    /// but the span from the wrist (8 mV) to the axilla is assessable and finds the block (75 % smaller).
    /// </summary>
    [Fact]
    public void A_middle_site_below_the_floor_makes_only_the_segment_it_starts_not_assessable_and_the_span_past_it_finds_the_block()
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 1.0m, 19m, 5.1m), (Axilla, 0.3m, 5m, 5.3m))
            .Classify();

        Assert.Equal(SegmentStatus.Graded, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Status);
        Assert.Equal(SegmentStatus.NotAssessable, result.Segment(MotorNerve.Median, Side.Left, Elbow, Axilla).Status);
        var span = result.Span(MotorNerve.Median, Side.Left, Wrist, Axilla);
        Assert.Equal(BlockGrade.Definite, span.Grade);
        Assert.Contains(MissingDataKind.SegmentNotAssessable, result.MissingKinds());
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_nerve_takes_the_best_grade_of_all_its_studies()
    {
        var result = Background.WithTwoSupportiveCriteria()
            .WithNormalConduction(MotorNerve.Ulnar, Side.Left)
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .Classify();

        Assert.Equal(BlockGrade.Definite, result.Nerve(MotorNerve.Ulnar, Side.Left).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_not_gradeable_segment_beside_a_normal_one_is_missing_data_not_a_normal_result()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithStudy(MotorNerve.Ulnar, Side.Left, (Wrist, 8m, null, null), (BelowElbow, 7.5m, null, null))
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SegmentStatus.NotGradeable, result.Segment(MotorNerve.Ulnar, Side.Left, Wrist, BelowElbow).Status);
        result.AssertInsufficientBecause(MissingDataKind.SegmentNotGradeable);
    }
}
