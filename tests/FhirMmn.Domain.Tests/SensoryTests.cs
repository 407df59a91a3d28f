using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// docs/criteria.md, "Sensory (criterion 3)", as revised by revision 2 items 4 to 6: an upper-limb
/// block counts only if the SNAP of that nerve on that side is present and at or above its lower limit;
/// absent is a missing-data finding; a low distal SNAP leaves sensory conduction across the block not
/// established (missing data where counting the block would change the category); a peroneal block
/// counts unless the superficial peroneal SNAP of that side is low.
/// </summary>
public sealed class SensoryTests
{
    /// <summary>
    /// A definite left ulnar block, weakness in two nerves, no other nerve studied. Rows: the one SNAP
    /// in the data (nerve, side, amplitude uV, lower limit uV; no nerve: no SNAP at all), the sensory
    /// check of the ulnar block, and the category. A low distal SNAP (section 4.1 item 4): counting the
    /// block would make it definite, so sensory conduction across it is the missing data.
    /// </summary>
    public static TheoryData<string, SensoryNerve?, Side, decimal?, decimal?, SensoryCheck, MmnCategory> SnapRows => new()
    {
        { "left ulnar SNAP 20 uV, limit 10: the block counts", SensoryNerve.Ulnar, Side.Left, 20m, 10m, SensoryCheck.Normal, MmnCategory.Definite },
        { "left ulnar SNAP exactly at its limit: the block counts", SensoryNerve.Ulnar, Side.Left, 10m, 10m, SensoryCheck.Normal, MmnCategory.Definite },
        { "left ulnar SNAP 9.99 uV, limit 10: low, sensory conduction across the block not established", SensoryNerve.Ulnar, Side.Left, 9.99m, 10m, SensoryCheck.NotEstablished, MmnCategory.InsufficientData },
        { "left ulnar SNAP unrecordable (0 uV): low, sensory conduction across the block not established", SensoryNerve.Ulnar, Side.Left, 0m, 10m, SensoryCheck.NotEstablished, MmnCategory.InsufficientData },
        { "no SNAP at all: missing data", null, Side.Left, null, null, SensoryCheck.Missing, MmnCategory.InsufficientData },
        { "right ulnar SNAP only: the other side does not help", SensoryNerve.Ulnar, Side.Right, 20m, 10m, SensoryCheck.Missing, MmnCategory.InsufficientData },
        { "left median SNAP only: another nerve does not help", SensoryNerve.Median, Side.Left, 20m, 10m, SensoryCheck.Missing, MmnCategory.InsufficientData },
        { "left ulnar SNAP without a lower limit: missing data", SensoryNerve.Ulnar, Side.Left, 20m, null, SensoryCheck.Missing, MmnCategory.InsufficientData },
        { "left ulnar SNAP without a value: missing data", SensoryNerve.Ulnar, Side.Left, null, 10m, SensoryCheck.Missing, MmnCategory.InsufficientData },
    };

    [Theory]
    [MemberData(nameof(SnapRows))]
    public void Upper_limb_block_counts_only_with_the_same_nerve_same_side_snap_at_or_above_its_lower_limit(
        string rule, SensoryNerve? snapNerve, Side snapSide, decimal? amplitude, decimal? lowerLimit, SensoryCheck check, MmnCategory category)
    {
        var patient = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical);
        if (snapNerve is { } nerve)
        {
            patient.WithSnap(nerve, snapSide, amplitude, lowerLimit);
        }

        var result = patient.Classify();

        var ulnar = result.Nerve(MotorNerve.Ulnar, Side.Left);
        Expect.Equal(BlockGrade.Definite, ulnar.Grade, rule);
        Expect.Equal(check, ulnar.Sensory, rule);
        Expect.Equal(check == SensoryCheck.Normal, ulnar.Counts, rule);
        Expect.Equal(category, result.Category, rule);
        Expect.Equal(check == SensoryCheck.Missing, result.MissingKinds().Contains(MissingDataKind.SnapMissingForBlock), rule);
        Expect.Equal(check == SensoryCheck.NotEstablished, result.MissingKinds().Contains(MissingDataKind.SensoryAcrossBlockNotEstablished), rule);
        if (check is SensoryCheck.Low or SensoryCheck.Missing or SensoryCheck.NotEstablished)
        {
            Assert.False(string.IsNullOrWhiteSpace(ulnar.SensoryWhy), rule);
        }
    }

    [Fact]
    public void A_low_sural_snap_does_not_stop_an_upper_limb_block_counting()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithLowSnap(SensoryNerve.Sural, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.Normal, result.Nerve(MotorNerve.Ulnar, Side.Left).Sensory);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_peroneal_block_needs_no_snap_and_gives_definite_mmn()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Peroneal, Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        var peroneal = result.Nerve(MotorNerve.Peroneal, Side.Right);
        Assert.Equal(BlockGrade.Definite, peroneal.Grade);
        Assert.Equal(SensoryCheck.NotRequired, peroneal.Sensory);
        Assert.True(peroneal.Counts);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    /// <summary>Section 4.1 item 5 changed this row: the superficial peroneal is the peroneal nerve's own sensory branch.</summary>
    [Fact]
    public void A_peroneal_block_beside_a_low_superficial_peroneal_snap_of_that_side_does_not_count()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Peroneal, Side.Right)
            .WithLowSnap(SensoryNerve.SuperficialPeroneal, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        var peroneal = result.Nerve(MotorNerve.Peroneal, Side.Right);
        Assert.Equal(SensoryCheck.Low, peroneal.Sensory);
        Assert.False(peroneal.Counts);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    /// <summary>Section 4.1 item 4 changed this row: a low radial SNAP leaves the radial block undecided, and it would decide.</summary>
    [Fact]
    public void A_radial_block_is_checked_against_the_radial_snap()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Radial, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Radial, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.NotEstablished, result.Nerve(MotorNerve.Radial, Side.Left).Sensory);
        Assert.Equal(SensoryCheck.Normal, result.Nerve(MotorNerve.Median, Side.Left).Sensory);
        result.AssertInsufficientBecause(MissingDataKind.SensoryAcrossBlockNotEstablished);
    }

    [Fact]
    public void Radial_and_median_blocks_with_normal_snaps_are_blocks_in_two_nerves()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Radial, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Radial, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.Normal, result.Nerve(MotorNerve.Radial, Side.Left).Sensory);
        Assert.Equal(MmnCategory.Probable, result.Category);
    }

    /// <summary>
    /// Section 4.1 item 6: the musculocutaneous block's SNAP is the lateral antebrachial cutaneous SNAP;
    /// without it in the data, the block does not count and the SNAP is missing data.
    /// </summary>
    [Fact]
    public void A_musculocutaneous_block_without_a_lateral_antebrachial_cutaneous_snap_is_missing_data()
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Musculocutaneous, Side.Left)
            .WithNormalUpperLimbSnaps(Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true })
            .Classify();

        var musculocutaneous = result.Nerve(MotorNerve.Musculocutaneous, Side.Left);
        Assert.Equal(BlockGrade.Probable, musculocutaneous.Grade);
        Assert.Equal(SensoryCheck.Missing, musculocutaneous.Sensory);
        Assert.False(musculocutaneous.Counts);
        result.AssertInsufficientBecause(MissingDataKind.SnapMissingForBlock);
    }

    /// <summary>
    /// Section 4.1 item 4: the low ulnar SNAP leaves the ulnar block not established; counting it would
    /// make definite, so it is missing data, but rule 3 (probable) comes before rule 5.
    /// </summary>
    [Fact]
    public void A_definite_block_with_a_low_snap_does_not_count_but_a_second_nerve_with_two_supportive_criteria_gives_probable()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithLowSnap(SensoryNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Right)
            .WithNormalSnap(SensoryNerve.Median, Side.Right)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true })
            .Classify();

        Assert.False(result.Nerve(MotorNerve.Ulnar, Side.Left).Counts);
        Assert.True(result.Nerve(MotorNerve.Median, Side.Right).Counts);
        Assert.Contains(MissingDataKind.SensoryAcrossBlockNotEstablished, result.MissingKinds());
        Assert.Equal(MmnCategory.Probable, result.Category);
    }
}

/// <summary>
/// criteria revision 2 item 4 (docs/criteria.md): a SNAP may name its stimulation site. Criterion 3 for an upper-limb block
/// is met by the distal SNAP (no site, or the wrist) at or above its lower limit, or by a segmental SNAP
/// stimulated at or above the block's proximal site that is. A low distal SNAP with no such segmental
/// SNAP: sensory conduction across the block not established, missing data where counting the block would
/// change the category. A low segmental SNAP across the block: it does not count.
/// </summary>
public sealed class SegmentalSnapTests
{
    /// <summary>A SNAP of the left median nerve: amplitude against a lower limit of 10 uV, and its site (null: none).</summary>
    public sealed record Snap(decimal Amplitude, StimulationSite? Site = null);

    /// <summary>
    /// A definite left median block from wrist to elbow, weakness in two nerves, normal ulnar SNAP, nothing
    /// else: the block alone decides between definite and the rest. Rows: the median SNAPs, the check and
    /// the category.
    /// </summary>
    public static TheoryData<string, Snap[], SensoryCheck, MmnCategory> Rows => new()
    {
        { "distal normal, no segmental: counts", [new(20m)], SensoryCheck.Normal, MmnCategory.Definite },
        { "distal at the wrist, normal: counts (the wrist is the distal SNAP)", [new(20m, StimulationSite.Wrist)], SensoryCheck.Normal, MmnCategory.Definite },
        { "distal at the wrist, 9.99 uV: not established", [new(9.99m, StimulationSite.Wrist)], SensoryCheck.NotEstablished, MmnCategory.InsufficientData },
        { "distal low, no segmental: not established", [new(4m)], SensoryCheck.NotEstablished, MmnCategory.InsufficientData },
        { "distal low, segmental at the elbow (the block's proximal site) normal: counts", [new(4m), new(15m, StimulationSite.Elbow)], SensoryCheck.Normal, MmnCategory.Definite },
        { "distal low, segmental at the elbow exactly at its limit: counts", [new(4m), new(10m, StimulationSite.Elbow)], SensoryCheck.Normal, MmnCategory.Definite },
        { "distal low, segmental at the axilla (above the block) normal: counts", [new(4m), new(15m, StimulationSite.Axilla)], SensoryCheck.Normal, MmnCategory.Definite },
        { "distal low, segmental below the elbow (distal to the block's proximal site) normal: not established", [new(4m), new(15m, StimulationSite.BelowElbow)], SensoryCheck.NotEstablished, MmnCategory.InsufficientData },
        { "distal low, segmental at the elbow 9.99 uV: low across the block, does not count", [new(4m), new(9.99m, StimulationSite.Elbow)], SensoryCheck.Low, MmnCategory.CriteriaNotMet },
        { "distal normal, segmental at the elbow low: low across the block, does not count", [new(20m), new(4m, StimulationSite.Elbow)], SensoryCheck.Low, MmnCategory.CriteriaNotMet },
        { "distal normal, segmental below the elbow low: not across the block, counts", [new(20m), new(4m, StimulationSite.BelowElbow)], SensoryCheck.Normal, MmnCategory.Definite },
        { "no distal, segmental at the elbow normal: counts", [new(15m, StimulationSite.Elbow)], SensoryCheck.Normal, MmnCategory.Definite },
        { "no distal, segmental below the elbow normal: the SNAP is missing", [new(15m, StimulationSite.BelowElbow)], SensoryCheck.Missing, MmnCategory.InsufficientData },
        { "no median SNAP at all: missing", [], SensoryCheck.Missing, MmnCategory.InsufficientData },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_block_counts_with_a_normal_distal_snap_or_a_normal_segmental_snap_across_it(
        string rule, Snap[] snaps, SensoryCheck check, MmnCategory category)
    {
        var patient = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical);
        foreach (var snap in snaps)
        {
            patient.WithSnap(SensoryNerve.Median, Side.Left, snap.Amplitude, 10m, snap.Site);
        }

        var result = patient.Classify();

        var median = result.Nerve(MotorNerve.Median, Side.Left);
        Expect.Equal(check, median.Sensory, rule);
        Expect.Equal(check == SensoryCheck.Normal, median.Counts, rule);
        Expect.Equal(category, result.Category, rule);
        Expect.Equal(check == SensoryCheck.NotEstablished, result.MissingKinds().Contains(MissingDataKind.SensoryAcrossBlockNotEstablished), rule);
        Expect.Equal(check == SensoryCheck.Missing, result.MissingKinds().Contains(MissingDataKind.SnapMissingForBlock), rule);
        Expect.Equal(snaps.Length, result.Snaps.Count(s => s.Nerve == SensoryNerve.Median), rule);
        Expect.Equal(snaps.Count(s => s.Site is not null and not StimulationSite.Wrist), result.Snaps.Count(s => s.Segmental), rule);
    }

    [Fact]
    public void Sensory_conduction_across_the_block_names_a_sensory_study_across_the_blocked_segment_and_carpal_tunnel()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        var finding = Assert.Single(result.MissingData);
        Assert.Equal(DecidingTest.SensoryStudyAcrossBlock, finding.Test);
        Assert.Contains("a sensory study across the blocked segment", finding.WouldDecide, StringComparison.Ordinal);
        Assert.Contains("at or above elbow", finding.WouldDecide, StringComparison.Ordinal);
        Assert.Contains("carpal tunnel", finding.WouldDecide, StringComparison.Ordinal);
        Assert.Contains("sensory conduction across the block not established", finding.Finding, StringComparison.Ordinal);
        Assert.True(result.TypicalSegment(MotorNerve.Median, Side.Left).Decided);
    }

    [Fact]
    public void A_low_ulnar_snap_across_nothing_names_the_study_without_the_carpal_tunnel_note()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithLowSnap(SensoryNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        var finding = Assert.Single(result.MissingData);
        Assert.Equal(MissingDataKind.SensoryAcrossBlockNotEstablished, finding.Kind);
        Assert.DoesNotContain("carpal tunnel", finding.WouldDecide, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_counting_the_block_would_not_change_the_category_it_simply_does_not_count()
    {
        // A definite ulnar block with a normal SNAP already makes definite MMN; the median block's low SNAP decides nothing.
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.NotEstablished, result.Nerve(MotorNerve.Median, Side.Left).Sensory);
        Assert.False(result.Nerve(MotorNerve.Median, Side.Left).Counts);
        Assert.DoesNotContain(MissingDataKind.SensoryAcrossBlockNotEstablished, result.MissingKinds());
        Assert.Empty(result.MissingData);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

    [Fact]
    public void A_block_whose_low_snap_would_not_change_a_possible_result_is_no_missing_data()
    {
        // Exactly one weak nerve and a counted probable ulnar block: possible MMN. A median block with a low SNAP would leave it possible.
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithProbableBlock(MotorNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical with { WeakNerveCount = 1 })
            .Classify();

        Assert.DoesNotContain(MissingDataKind.SensoryAcrossBlockNotEstablished, result.MissingKinds());
        Assert.Equal(MmnCategory.Possible, result.Category);
        Assert.Equal(SensoryCheck.NotEstablished, result.Nerve(MotorNerve.Median, Side.Left).Sensory);
    }

    [Fact]
    public void Where_an_exclusion_decides_a_low_snap_is_no_missing_data()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Median, Side.Left)
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithClinical(Clinical.Typical with { UpperMotorNeuronSigns = true })
            .Classify();

        Assert.Empty(result.MissingData);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
    }

    [Fact]
    public void A_segmental_snap_decides_per_block_so_the_block_below_it_counts_and_the_one_above_it_does_not()
    {
        // Median wrist to elbow 40 % smaller (probable), elbow to axilla 60 % smaller again (definite); span too.
        // Distal SNAP low; the segmental SNAP stimulated at the elbow is normal: it crosses only the forearm block.
        var result = Case.Patient()
            .WithStudy(MotorNerve.Median, Side.Left, (Wrist, 8m, 20m, 5m), (Elbow, 5m, 12m, 5.2m), (Axilla, 2m, 4.8m, 5.4m))
            .WithLowSnap(SensoryNerve.Median, Side.Left)
            .WithSnap(SensoryNerve.Median, Side.Left, 15m, 10m, StimulationSite.Elbow)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true })
            .Classify();

        var median = result.Nerve(MotorNerve.Median, Side.Left);
        Assert.Equal(BlockGrade.Definite, median.Grade);
        Assert.Equal(BlockGrade.Probable, median.CountedGrade);
        Assert.Equal((StimulationSite.Wrist, StimulationSite.Elbow), (median.Deciding!.DistalSite, median.Deciding.ProximalSite));
        Assert.Contains(MissingDataKind.SensoryAcrossBlockNotEstablished, result.MissingKinds());
        Assert.Equal(MmnCategory.Probable, result.Category);
    }
}

/// <summary>
/// criteria revision 2 item 5 (docs/criteria.md): a peroneal block counts unless the superficial peroneal SNAP of that side
/// is present and low; any low sural or superficial peroneal SNAP sets sensory involvement and a caveat.
/// Item 6: the lateral antebrachial cutaneous SNAP is the musculocutaneous block's.
/// </summary>
public sealed class LegAndMusculocutaneousSnapTests
{
    /// <summary>Rows: the one leg SNAP beside a definite right peroneal block (nerve, side, amplitude, limit), whether the block counts, the category.</summary>
    public static TheoryData<string, SensoryNerve?, Side, decimal?, decimal?, bool, MmnCategory> PeronealRows => new()
    {
        { "no leg SNAP: the block counts", null, Side.Right, null, null, true, MmnCategory.Definite },
        { "right superficial peroneal normal: counts", SensoryNerve.SuperficialPeroneal, Side.Right, 12m, 6m, true, MmnCategory.Definite },
        { "right superficial peroneal exactly at its limit: counts", SensoryNerve.SuperficialPeroneal, Side.Right, 6m, 6m, true, MmnCategory.Definite },
        { "right superficial peroneal 5.99 uV, limit 6: does not count", SensoryNerve.SuperficialPeroneal, Side.Right, 5.99m, 6m, false, MmnCategory.CriteriaNotMet },
        { "left superficial peroneal low: the other side, counts", SensoryNerve.SuperficialPeroneal, Side.Left, 2m, 6m, true, MmnCategory.Definite },
        { "right superficial peroneal without a lower limit: not shown low, counts", SensoryNerve.SuperficialPeroneal, Side.Right, 2m, null, true, MmnCategory.Definite },
        { "right sural low: not the peroneal nerve's branch, counts", SensoryNerve.Sural, Side.Right, 2m, 6m, true, MmnCategory.Definite },
    };

    [Theory]
    [MemberData(nameof(PeronealRows))]
    public void A_peroneal_block_counts_unless_the_superficial_peroneal_snap_of_that_side_is_low(
        string rule, SensoryNerve? nerve, Side side, decimal? amplitude, decimal? limit, bool counts, MmnCategory category)
    {
        var patient = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Peroneal, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical);
        if (nerve is { } n)
        {
            patient.WithSnap(n, side, amplitude, limit);
        }

        var result = patient.Classify();

        var peroneal = result.Nerve(MotorNerve.Peroneal, Side.Right);
        Expect.Equal(counts, peroneal.Counts, rule);
        Expect.Equal(counts ? SensoryCheck.NotRequired : SensoryCheck.Low, peroneal.Sensory, rule);
        Expect.Equal(category, result.Category, rule);
    }

    public static TheoryData<string, SensoryNerve, decimal, bool> LegSnapRows => new()
    {
        { "sural 5.99 uV, limit 6: low, sensory involvement and a caveat", SensoryNerve.Sural, 5.99m, true },
        { "sural exactly at its limit: neither", SensoryNerve.Sural, 6m, false },
        { "superficial peroneal 2 uV, limit 6: low, sensory involvement and a caveat", SensoryNerve.SuperficialPeroneal, 2m, true },
        { "superficial peroneal 12 uV: neither", SensoryNerve.SuperficialPeroneal, 12m, false },
    };

    [Theory]
    [MemberData(nameof(LegSnapRows))]
    public void A_low_sural_or_superficial_peroneal_snap_sets_sensory_involvement_and_a_caveat_beside_it_without_changing_the_category(
        string rule, SensoryNerve nerve, decimal amplitude, bool low)
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Ulnar, Side.Left)
            .WithNormalSnap(SensoryNerve.Ulnar, Side.Left)
            .WithSnap(nerve, Side.Left, amplitude, 6m)
            .WithClinical(Clinical.Typical)
            .Classify();

        var snap = Assert.Single(result.Snaps, s => s.Nerve == nerve);
        Expect.Equal(low ? SnapStatus.Low : SnapStatus.Normal, snap.Status, rule);
        Expect.Equal(low, snap.Caveats.Any(c => c.Kind == CaveatKind.LowLegSnap), rule);
        Expect.Equal(low, result.Caveats.Any(c => c.Kind == CaveatKind.LowLegSnap), rule);
        Expect.Equal(low, result.SensoryInvolvement, rule);
        Expect.Equal(MmnCategory.Definite, result.Category, rule);
    }

    /// <summary>Rows: the SNAP beside a probable left musculocutaneous block (axilla to Erb's point): nerve, side, amplitude, site; the check.</summary>
    public static TheoryData<string, SensoryNerve, Side, decimal, StimulationSite?, SensoryCheck> MusculocutaneousRows => new()
    {
        { "left lateral antebrachial cutaneous normal: counts", SensoryNerve.LateralAntebrachialCutaneous, Side.Left, 15m, null, SensoryCheck.Normal },
        { "left lateral antebrachial cutaneous stimulated at the elbow (its routine study), normal: counts", SensoryNerve.LateralAntebrachialCutaneous, Side.Left, 15m, StimulationSite.Elbow, SensoryCheck.Normal },
        { "left lateral antebrachial cutaneous 9.99 uV: not established", SensoryNerve.LateralAntebrachialCutaneous, Side.Left, 9.99m, null, SensoryCheck.NotEstablished },
        { "right lateral antebrachial cutaneous: the other side, missing", SensoryNerve.LateralAntebrachialCutaneous, Side.Right, 15m, null, SensoryCheck.Missing },
        { "left lateral antebrachial cutaneous stimulated at the axilla: below the block's proximal site, missing", SensoryNerve.LateralAntebrachialCutaneous, Side.Left, 15m, StimulationSite.Axilla, SensoryCheck.Missing },
        { "left lateral antebrachial cutaneous stimulated at Erb's point, normal: across the block, counts", SensoryNerve.LateralAntebrachialCutaneous, Side.Left, 15m, StimulationSite.ErbPoint, SensoryCheck.Normal },
        { "left radial only: another nerve, missing", SensoryNerve.Radial, Side.Left, 15m, null, SensoryCheck.Missing },
    };

    [Theory]
    [MemberData(nameof(MusculocutaneousRows))]
    public void A_musculocutaneous_block_is_checked_against_the_lateral_antebrachial_cutaneous_snap(
        string rule, SensoryNerve nerve, Side side, decimal amplitude, StimulationSite? site, SensoryCheck check)
    {
        var result = Case.Patient()
            .WithProbableBlock(MotorNerve.Musculocutaneous, Side.Left)
            .WithNormalSnap(SensoryNerve.Median, Side.Left)
            .WithSnap(nerve, side, amplitude, 10m, site)
            .WithAntiGm1(AntiGm1.Raised)
            .WithClinical(Clinical.Typical with { MriPlexusT2Hyperintensity = true })
            .Classify();

        var musculocutaneous = result.Nerve(MotorNerve.Musculocutaneous, Side.Left);
        Expect.Equal(check, musculocutaneous.Sensory, rule);
        Expect.Equal(check == SensoryCheck.Normal ? MmnCategory.Probable : MmnCategory.InsufficientData, result.Category, rule);
    }

    [Fact]
    public void A_lateral_antebrachial_cutaneous_snap_is_an_upper_limb_snap()
    {
        var result = Case.Patient()
            .WithNormalConduction(MotorNerve.Median, Side.Left)
            .WithNormalSnap(SensoryNerve.LateralAntebrachialCutaneous, Side.Left)
            .WithClinical(Clinical.Typical with { IvigResponse = true })
            .Classify();

        Assert.DoesNotContain(MissingDataKind.NoUpperLimbSnap, result.MissingKinds());
        Assert.Equal(MmnCategory.Possible, result.Category);
    }
}
