using FhirMmn.Domain;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Assessing;

/// <summary>Evidence in, write-back out: assemble, classify (a plain call), build.</summary>
public static class Assessor
{
    public static (MmnAssessment Assessment, WriteBack WriteBack) Assess(
        PatientIdentity patient,
        IEnumerable<FeedObservation> observations,
        Func<AssembledEvidence, MmnAssessment, WriteBackRequest> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var evidence = EvidenceAssembler.Assemble(observations);
        var assessment = MmnClassifier.Classify(evidence.Evidence);
        return (assessment, WriteBackBuilder.Build(request(evidence, assessment)));
    }

    /// <summary>
    /// The offline assessment of one bundle, as the CLI gives it: the time is the newest input's effective
    /// time, so that the same input gives the same bytes.
    /// </summary>
    public static (MmnAssessment Assessment, WriteBack WriteBack) AssessOffline(
        FeedBundle bundle, string feed, string? targetServerBase, IReadOnlyList<string>? codeMaps = null, string reportStatus = "preliminary", string carePlanStatus = "draft")
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Assess(bundle.Patient, bundle.Observations, (evidence, assessment) => new WriteBackRequest
        {
            Feed = feed,
            Patient = bundle.Patient,
            Evidence = evidence,
            Assessment = assessment,
            Time = evidence.Newest?.Effective ?? DateTimeOffset.UnixEpoch,
            TargetServerBase = targetServerBase,
            CodeMaps = codeMaps ?? [],
            ReportStatus = reportStatus,
            CarePlanStatus = carePlanStatus,
        });
    }
}
