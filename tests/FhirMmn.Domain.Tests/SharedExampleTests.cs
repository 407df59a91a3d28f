using static FhirMmn.Domain.StimulationSite;

namespace FhirMmn.Domain.Tests;

/// <summary>
/// The three feeds of /work/shared/examples, their evidence rebuilt by hand from the JSON (values,
/// reference ranges and observation ids as the bundles carry them), against the category that
/// examples/README.md gives. All observations are final and dated 2026-10-14, one study per nerve and
/// side.
/// </summary>
public sealed class SharedExampleTests
{
    private const decimal DaysPerMonth = 30.4375m;

    private static ClinicalFindings SixFindings(bool upperMotorNeuronSigns) => new()
    {
        WeakNerveCount = 2,
        WeaknessDurationDays = 22 * DaysPerMonth,
        ObjectiveSensoryLoss = false,
        UpperMotorNeuronSigns = upperMotorNeuronSigns,
        MarkedBulbarInvolvement = false,
        DiffuseSymmetricWeaknessEarly = false,
    };

    [Fact]
    public void Example_definite_ulnar_forearm_is_definite()
    {
        const string Id = "example-definite-ulnar-forearm-obs-";
        var evidence = new MmnEvidence(
            [
                new MotorStudy("ulnar-left", MotorNerve.Ulnar, Side.Left,
                [
                    new CmapSite(Wrist, 10.2m, 26.0m, 5.9m, 6.0m, Id + "1"),
                    new CmapSite(BelowElbow, 3.1m, 9.8m, 6.4m, 6.0m, Id + "2"),
                    new CmapSite(AboveElbow, 3.0m, 9.5m, 6.5m, 6.0m, Id + "3"),
                ]),
                new MotorStudy("median-left", MotorNerve.Median, Side.Left,
                [
                    new CmapSite(Wrist, 9.1m, 23.5m, 5.3m, 4.0m, Id + "4"),
                    new CmapSite(Elbow, 8.7m, 22.4m, 5.6m, 4.0m, Id + "5"),
                ]),
            ],
            [
                new SnapResult(SensoryNerve.Median, Side.Left, 28m, 15m, Id + "6"),
                new SnapResult(SensoryNerve.Ulnar, Side.Left, 19m, 10m, Id + "7"),
                new SnapResult(SensoryNerve.Sural, Side.Left, 12m, 6m, Id + "8"),
            ],
            [new AntiGm1Quantity(Id + "9", LabInterpretation.None, 140m, 50m)],
            SixFindings(upperMotorNeuronSigns: false));

        var result = MmnClassifier.Classify(evidence);

        Assert.Equal(MmnCategory.Definite, result.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, result.Basis);
        var forearm = result.Segment(MotorNerve.Ulnar, Side.Left, Wrist, BelowElbow);
        Assert.Equal(BlockGrade.Definite, forearm.Grade);
        Assert.Equal(SegmentStatus.EntrapmentSite, result.Segment(MotorNerve.Ulnar, Side.Left, BelowElbow, AboveElbow).Status);
        Assert.Equal(BlockGrade.None, result.Segment(MotorNerve.Median, Side.Left, Wrist, Elbow).Grade);
        Assert.Equal(SensoryCheck.Normal, result.Nerve(MotorNerve.Ulnar, Side.Left).Sensory);
        Assert.Equal(CriterionStatus.Met, result.Criterion(CriterionId.AntiGm1Raised).Status);
    }

    [Fact]
    public void Example_insufficient_no_area_is_insufficient_data()
    {
        const string Id = "example-insufficient-no-area-obs-";
        var evidence = new MmnEvidence(
            [
                new MotorStudy("median-right", MotorNerve.Median, Side.Right,
                [
                    new CmapSite(Wrist, 7.0m, null, null, 4.0m, Id + "1"),
                    new CmapSite(Elbow, 3.0m, null, null, 4.0m, Id + "2"),
                ]),
                new MotorStudy("ulnar-right", MotorNerve.Ulnar, Side.Right,
                [
                    new CmapSite(Wrist, 9.0m, null, null, 6.0m, Id + "3"),
                    new CmapSite(BelowElbow, 8.8m, null, null, 6.0m, Id + "4"),
                ]),
            ],
            [
                new SnapResult(SensoryNerve.Median, Side.Right, 28m, 15m, Id + "5"),
                new SnapResult(SensoryNerve.Ulnar, Side.Right, 19m, 10m, Id + "6"),
                new SnapResult(SensoryNerve.Sural, Side.Right, 12m, 6m, Id + "7"),
            ],
            [new AntiGm1Quantity(Id + "8", LabInterpretation.None, 20m, 50m)],
            SixFindings(upperMotorNeuronSigns: false));

        var result = MmnClassifier.Classify(evidence);

        result.AssertInsufficientBecause(MissingDataKind.SegmentNotGradeable);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, result.Basis);
        Assert.Equal(2, result.Segments.Count);
        Assert.All(result.Segments, s => Assert.Equal(SegmentStatus.NotGradeable, s.Status));
        Assert.Equal(CriterionStatus.NotMet, result.Criterion(CriterionId.AntiGm1Raised).Status);
    }

    [Fact]
    public void Example_not_met_umn_signs_is_criteria_not_met()
    {
        const string Id = "example-not-met-umn-signs-obs-";
        var evidence = new MmnEvidence(
            [
                new MotorStudy("median-right", MotorNerve.Median, Side.Right,
                [
                    new CmapSite(Wrist, 2.4m, 6.5m, 5.5m, 4.0m, Id + "1"),
                    new CmapSite(Elbow, 2.3m, 6.2m, 5.8m, 4.0m, Id + "2"),
                ]),
                new MotorStudy("ulnar-right", MotorNerve.Ulnar, Side.Right,
                [
                    new CmapSite(Wrist, 3.0m, 8.0m, 5.8m, 6.0m, Id + "3"),
                    new CmapSite(BelowElbow, 2.9m, 7.7m, 6.0m, 6.0m, Id + "4"),
                ]),
            ],
            [
                new SnapResult(SensoryNerve.Median, Side.Right, 28m, 15m, Id + "5"),
                new SnapResult(SensoryNerve.Ulnar, Side.Right, 19m, 10m, Id + "6"),
                new SnapResult(SensoryNerve.Sural, Side.Right, 12m, 6m, Id + "7"),
            ],
            [new AntiGm1Quantity(Id + "8", LabInterpretation.None, 12m, 50m)],
            SixFindings(upperMotorNeuronSigns: true));

        var result = MmnClassifier.Classify(evidence);

        Assert.Equal(MmnCategory.CriteriaNotMet, result.Category);
        Assert.True(result.UpperMotorNeuronOrBulbarSigns);
        Assert.Equal(CriterionStatus.NotMet, result.Criterion(CriterionId.NoUpperMotorNeuronSigns).Status);
        // Low distal CMAPs (2.4 and 3.0 mV), but above both floors: graded, and no proximal drop.
        Assert.All(result.Segments, s => Assert.Equal((SegmentStatus.Graded, BlockGrade.None), (s.Status, s.Grade)));
    }
}
