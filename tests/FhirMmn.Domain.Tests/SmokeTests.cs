namespace FhirMmn.Domain.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void No_evidence_at_all_is_insufficient_data_with_assumed_clinical_basis()
    {
        var result = MmnClassifier.Classify(new MmnEvidence([], [], [], ClinicalFindings.NoneProvided));

        Assert.Equal(MmnCategory.InsufficientData, result.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, result.Basis);
        Assert.Contains(result.MissingData, m => m.Kind == MissingDataKind.NoMotorStudy);
    }
}
