namespace FhirMmn.Domain.Tests;

/// <summary>
/// DESIGN.md section 4, "Sensory (criterion 3)": an upper-limb block counts only if the SNAP of that
/// nerve on that side is present and at or above its lower limit; absent is a missing-data finding;
/// low does not count; a peroneal block needs no SNAP.
/// </summary>
public sealed class SensoryTests
{
    /// <summary>
    /// A definite left ulnar block, weakness in two nerves, no other nerve studied. Rows: the one SNAP
    /// in the data (nerve, side, amplitude uV, lower limit uV; no nerve: no SNAP at all), the sensory
    /// check of the ulnar block, and the category.
    /// </summary>
    public static TheoryData<string, SensoryNerve?, Side, decimal?, decimal?, SensoryCheck, MmnCategory> SnapRows => new()
    {
        { "left ulnar SNAP 20 uV, limit 10: the block counts", SensoryNerve.Ulnar, Side.Left, 20m, 10m, SensoryCheck.Normal, MmnCategory.Definite },
        { "left ulnar SNAP exactly at its limit: the block counts", SensoryNerve.Ulnar, Side.Left, 10m, 10m, SensoryCheck.Normal, MmnCategory.Definite },
        { "left ulnar SNAP 9.99 uV, limit 10: low, the block does not count", SensoryNerve.Ulnar, Side.Left, 9.99m, 10m, SensoryCheck.Low, MmnCategory.CriteriaNotMet },
        { "left ulnar SNAP unrecordable (0 uV): low, the block does not count", SensoryNerve.Ulnar, Side.Left, 0m, 10m, SensoryCheck.Low, MmnCategory.CriteriaNotMet },
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
        if (check is SensoryCheck.Low or SensoryCheck.Missing)
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

    [Fact]
    public void A_peroneal_block_counts_beside_a_low_superficial_peroneal_snap()
    {
        var result = Case.Patient()
            .WithDefiniteBlock(MotorNerve.Peroneal, Side.Right)
            .WithLowSnap(SensoryNerve.SuperficialPeroneal, Side.Right)
            .WithNormalUpperLimbSnaps(Side.Right)
            .WithClinical(Clinical.Typical)
            .Classify();

        Assert.Equal(SensoryCheck.NotRequired, result.Nerve(MotorNerve.Peroneal, Side.Right).Sensory);
        Assert.Equal(MmnCategory.Definite, result.Category);
    }

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

        Assert.Equal(SensoryCheck.Low, result.Nerve(MotorNerve.Radial, Side.Left).Sensory);
        Assert.Equal(SensoryCheck.Normal, result.Nerve(MotorNerve.Median, Side.Left).Sensory);
        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
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
    /// Reading taken: "a CB in an upper-limb nerve counts only if the SNAP of that nerve on that side is
    /// present"; the feed vocabulary has no musculocutaneous SNAP (Vocabulary.SensoryCounterpart is
    /// null), so the SNAP is always absent from the data: a missing-data finding, and the block does
    /// not count (the musculocutaneous is upper-limb, so the peroneal exemption does not apply).
    /// </summary>
    [Fact]
    public void A_musculocutaneous_block_has_no_snap_in_the_data_so_it_is_missing_data()
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
        Assert.Equal(MmnCategory.Probable, result.Category);
    }
}
