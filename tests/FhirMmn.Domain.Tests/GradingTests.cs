using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// DESIGN.md section 4, "Grades": area reduction = (distal - proximal) / distal, duration increase =
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
    /// duration, proximal duration, gradeable. The drop is a definite block whenever it is graded.
    /// </summary>
    public static TheoryData<string, decimal?, decimal?, decimal?, decimal?, decimal?, decimal?, bool> GradeabilityRows => new()
    {
        { "distal CMAP exactly 1.0 mV (limit 4 mV): not gradeable", 4m, 1.0m, 20m, 8m, 5m, 5.5m, false },
        { "distal CMAP 1.01 mV (limit 4 mV): gradeable", 4m, 1.01m, 20m, 8m, 5m, 5.5m, true },
        { "distal CMAP exactly 20 % of a 6 mV limit (1.2 mV): not gradeable", 6m, 1.2m, 20m, 8m, 5m, 5.5m, false },
        { "distal CMAP 1.2001 mV, limit 6 mV: gradeable", 6m, 1.2001m, 20m, 8m, 5m, 5.5m, true },
        { "distal CMAP exactly 20 % of a 5.6 mV limit (1.12 mV, above it in binary floating point): not gradeable", 5.6m, 1.12m, 20m, 8m, 5m, 5.5m, false },
        { "distal CMAP 1.13 mV, limit 5.6 mV: gradeable", 5.6m, 1.13m, 20m, 8m, 5m, 5.5m, true },
        { "distal CMAP exactly 20 % of an 11.2 mV limit (2.24 mV): not gradeable", 11.2m, 2.24m, 20m, 8m, 5m, 5.5m, false },
        { "distal CMAP 2.25 mV, limit 11.2 mV: gradeable", 11.2m, 2.25m, 20m, 8m, 5m, 5.5m, true },
        { "distal CMAP 0.9 mV: not gradeable", 4m, 0.9m, 20m, 8m, 5m, 5.5m, false },
        { "no lower limit of normal: not gradeable", null, 8m, 20m, 8m, 5m, 5.5m, false },
        { "no distal amplitude: not gradeable", 4m, null, 20m, 8m, 5m, 5.5m, false },
        { "no distal area: not gradeable", 4m, 8m, null, 8m, 5m, 5.5m, false },
        { "no proximal area: not gradeable", 4m, 8m, 20m, null, 5m, 5.5m, false },
        { "no distal duration: not gradeable", 4m, 8m, 20m, 8m, null, 5.5m, false },
        { "no proximal duration: not gradeable", 4m, 8m, 20m, 8m, 5m, null, false },
    };

    [Theory]
    [MemberData(nameof(GradeabilityRows))]
    public void Segment_is_gradeable_only_with_area_and_duration_at_both_sites_and_a_distal_cmap_above_both_floors(
        string rule, decimal? lowerLimit, decimal? distalAmplitude, decimal? distalArea, decimal? proximalArea, decimal? distalDuration, decimal? proximalDuration, bool gradeable)
    {
        // The proximal CMAP is small (0.4 mV): only the distal amplitude is held against the floors.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, lowerLimit, (Wrist, distalAmplitude, distalArea, distalDuration), (Elbow, 0.4m, proximalArea, proximalDuration))
            .Classify();

        var segment = result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow);
        if (gradeable)
        {
            Expect.Equal(SegmentStatus.Graded, segment.Status, rule);
            Expect.Equal(BlockGrade.Definite, segment.Grade, rule);
            Expect.Equal(MmnCategory.Definite, result.Category, rule);
        }
        else
        {
            Expect.Equal(SegmentStatus.NotGradeable, segment.Status, rule);
            Expect.Equal(BlockGrade.None, segment.Grade, rule);
            Expect.Equal(MmnCategory.InsufficientData, result.Category, rule);
            Assert.True(result.MissingKinds().Contains(MissingDataKind.SegmentNotGradeable), rule);
            Assert.False(string.IsNullOrWhiteSpace(segment.Why), rule);
        }
    }

    [Fact]
    public void The_floor_applies_to_the_distal_site_of_each_segment_not_to_the_most_distal_site_of_the_study()
    {
        // Wrist CMAP 0.9 mV: wrist to elbow not gradeable. Elbow CMAP 5 mV: elbow to axilla gradeable,
        // 60 % smaller with 4 % longer duration, a definite block.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 0.9m, 2.5m, 5m), (Elbow, 5m, 12m, 5m), (Axilla, 2m, 4.8m, 5.2m))
            .Classify();

        Assert.Equal(SegmentStatus.NotGradeable, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Status);
        Assert.Equal(SegmentStatus.Graded, result.Segment(MotorNerve.Median, Side.Left, Elbow, Axilla).Status);
        Assert.Equal(BlockGrade.Definite, result.Nerve(MotorNerve.Median, Side.Left).Grade);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_middle_site_below_the_floor_makes_only_the_segment_it_starts_not_gradeable()
    {
        // Wrist to elbow: graded, 5 % smaller. Elbow CMAP 1.0 mV: elbow to axilla not gradeable.
        var result = Background.WithTwoSupportiveCriteria()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 1.0m, 19m, 5.1m), (Axilla, 0.3m, 5m, 5.3m))
            .Classify();

        Assert.Equal(SegmentStatus.Graded, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Status);
        Assert.Equal(SegmentStatus.NotGradeable, result.Segment(MotorNerve.Median, Side.Left, Elbow, Axilla).Status);
        result.AssertInsufficientBecause(MissingDataKind.SegmentNotGradeable);
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
