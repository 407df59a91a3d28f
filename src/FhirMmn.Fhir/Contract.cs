namespace FhirMmn.Fhir;

/// <summary>FhirMmn's canonical URLs, code systems and identifier systems (docs/feed-contract.md and docs/write-back.md).</summary>
public static class Contract
{
    public const string CanonicalBase = "http://fhirmmn.org/fhir";

    public const string Ncs = CanonicalBase + "/CodeSystem/ncs";
    public const string Nerve = CanonicalBase + "/CodeSystem/nerve";
    public const string StimulationSite = CanonicalBase + "/CodeSystem/stimulation-site";
    public const string MmnClinical = CanonicalBase + "/CodeSystem/mmn-clinical";
    public const string MmnLab = CanonicalBase + "/CodeSystem/mmn-lab";
    public const string MmnCategory = CanonicalBase + "/CodeSystem/mmn-category";
    public const string MmnBasis = CanonicalBase + "/CodeSystem/mmn-basis";
    public const string MmnReport = CanonicalBase + "/CodeSystem/mmn-report";

    public const string AssessmentIdentifierSystem = CanonicalBase + "/sid/assessment";
    public const string CarePlanIdentifierSystem = CanonicalBase + "/sid/care-plan";
    public const string ClassifierIdentifierSystem = CanonicalBase + "/sid/classifier";

    /// <summary>Tags a report and its Provenance with the digest of the evidence they were made from.</summary>
    public const string EvidenceDigestSystem = CanonicalBase + "/sid/evidence-digest";

    /// <summary>Tags each Provenance with its assessment and evidence, so that it is created once (ifNoneExist on _tag).</summary>
    public const string ProvenanceTagSystem = CanonicalBase + "/sid/provenance";

    public const string PlanDefinition = CanonicalBase + "/PlanDefinition/mmn-efns-pns-2010";

    public const string DiagnosticReportProfile = CanonicalBase + "/StructureDefinition/mmn-diagnostic-report";
    public const string CarePlanProfile = CanonicalBase + "/StructureDefinition/mmn-careplan";
    public const string DeviceProfile = CanonicalBase + "/StructureDefinition/mmn-classifier-device";
    public const string ProvenanceProfile = CanonicalBase + "/StructureDefinition/mmn-provenance";

    /// <summary>Every code system under the canonical base; a code of one of them must be known.</summary>
    public static readonly IReadOnlySet<string> OwnCodeSystems = new HashSet<string>(StringComparer.Ordinal)
    {
        Ncs, Nerve, StimulationSite, MmnClinical, MmnLab, MmnCategory, MmnBasis, MmnReport,
    };
}

/// <summary>External code systems and codes the contract names.</summary>
public static class Terminology
{
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string DiagnosticServiceSection = "http://terminology.hl7.org/CodeSystem/v2-0074";
    public const string ObservationInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    public const string ProvenanceParticipantType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
    public const string DataAbsentReason = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
    public const string DataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
    public const string ActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    public const string LoincCmapAmplitude = "98713-1";
    public const string LoincSnapAmplitude = "98698-4";
    public const string LoincAntiGm1IgM = "51703-7";
    public const string LoincEvaluationNote = "51848-0";

    public const string SnomedLeft = "7771000";
    public const string SnomedRight = "24028007";
    public const string SnomedUnilateralLeft = "419161000";
    public const string SnomedUnilateralRight = "419465000";
    public const string SnomedPositive = "10828004";
    public const string SnomedNegative = "260385009";
    public const string SnomedMultifocalMotorNeuropathy = "230591002";
}
