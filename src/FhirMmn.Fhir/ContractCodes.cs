using System.Collections.Frozen;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir;

/// <summary>The contract's codes for the domain's vocabulary, both ways.</summary>
public static class ContractCodes
{
    public static readonly FrozenDictionary<string, MotorNerve> MotorNerves = new Dictionary<string, MotorNerve>
    {
        ["median"] = MotorNerve.Median,
        ["ulnar"] = MotorNerve.Ulnar,
        ["radial"] = MotorNerve.Radial,
        ["musculocutaneous"] = MotorNerve.Musculocutaneous,
        ["peroneal"] = MotorNerve.Peroneal,
        ["tibial"] = MotorNerve.Tibial,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, SensoryNerve> SensoryNerves = new Dictionary<string, SensoryNerve>
    {
        ["median"] = SensoryNerve.Median,
        ["ulnar"] = SensoryNerve.Ulnar,
        ["radial"] = SensoryNerve.Radial,
        ["sural"] = SensoryNerve.Sural,
        ["superficial-peroneal"] = SensoryNerve.SuperficialPeroneal,
        ["lateral-antebrachial-cutaneous"] = SensoryNerve.LateralAntebrachialCutaneous,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every code of CodeSystem/nerve.</summary>
    public static readonly FrozenSet<string> Nerves = MotorNerves.Keys.Concat(SensoryNerves.Keys).ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, StimulationSite> Sites = new Dictionary<string, StimulationSite>
    {
        ["wrist"] = StimulationSite.Wrist,
        ["below-elbow"] = StimulationSite.BelowElbow,
        ["elbow"] = StimulationSite.Elbow,
        ["above-elbow"] = StimulationSite.AboveElbow,
        ["axilla"] = StimulationSite.Axilla,
        ["erb-point"] = StimulationSite.ErbPoint,
        ["ankle"] = StimulationSite.Ankle,
        ["below-fibular-head"] = StimulationSite.BelowFibularHead,
        ["above-fibular-head"] = StimulationSite.AboveFibularHead,
        ["popliteal-fossa"] = StimulationSite.PoplitealFossa,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, Side> Laterality = new Dictionary<string, Side>
    {
        [Terminology.SnomedLeft] = Side.Left,
        [Terminology.SnomedRight] = Side.Right,
        [Terminology.SnomedUnilateralLeft] = Side.Left,
        [Terminology.SnomedUnilateralRight] = Side.Right,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, ClinicalCode> Clinical = new Dictionary<string, ClinicalCode>
    {
        ["weakness-nerve-count"] = ClinicalCode.WeaknessNerveCount,
        ["weakness-duration"] = ClinicalCode.WeaknessDuration,
        ["objective-sensory-loss"] = ClinicalCode.ObjectiveSensoryLoss,
        ["upper-motor-neuron-signs"] = ClinicalCode.UpperMotorNeuronSigns,
        ["marked-bulbar-involvement"] = ClinicalCode.MarkedBulbarInvolvement,
        ["diffuse-symmetric-weakness-early"] = ClinicalCode.DiffuseSymmetricWeaknessEarly,
        ["ivig-response"] = ClinicalCode.IvigResponse,
        ["mri-plexus-t2-hyperintensity"] = ClinicalCode.MriPlexusT2Hyperintensity,
        ["csf-protein"] = ClinicalCode.CsfProtein,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The components of CodeSystem/ncs.</summary>
    public const string StimulationSiteComponent = "stimulation-site";
    public const string LateralityComponent = "laterality";
    public const string CmapAreaComponent = "cmap-area";
    public const string CmapDurationComponent = "cmap-duration";
    public const string OnsetLatencyComponent = "onset-latency";
    public const string SnapAmplitude = "snap-amplitude";

    public const string AntiGm1Titre = "anti-gm1-igm-titre";
    public const string AntiGm1Presence = "anti-gm1-igm-presence";

    public static readonly FrozenSet<string> NcsCodes = new[]
    {
        StimulationSiteComponent, LateralityComponent, CmapAreaComponent, CmapDurationComponent, OnsetLatencyComponent, SnapAmplitude,
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> LabCodes = new[] { AntiGm1Titre, AntiGm1Presence }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Lab interpretation codes (v3 ObservationInterpretation, also in v2 table 0078).</summary>
    public static readonly FrozenSet<string> RaisedInterpretations = new[] { "H", "HH", "HU", "A", "POS" }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> NotRaisedInterpretations = new[] { "N", "NEG", "L" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Equivocal and indeterminate: neither raised nor not raised (criteria revision 2 item 9, docs/criteria.md).</summary>
    public static readonly FrozenSet<string> EquivocalInterpretations = new[] { "E", "IND" }.ToFrozenSet(StringComparer.Ordinal);

    public static string Code(this MotorNerve nerve) => Reverse(MotorNerves, nerve);

    public static string Code(this SensoryNerve nerve) => Reverse(SensoryNerves, nerve);

    public static string Code(this StimulationSite site) => Reverse(Sites, site);

    public static string Code(this ClinicalCode code) => Reverse(Clinical, code);

    public static string Code(this MmnCategory category) => category switch
    {
        MmnCategory.Definite => "definite",
        MmnCategory.Probable => "probable",
        MmnCategory.Possible => "possible",
        MmnCategory.CriteriaNotMet => "criteria-not-met",
        MmnCategory.InsufficientData => "insufficient-data",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string Code(this ClinicalBasis basis) => basis == ClinicalBasis.ClinicalCriteriaProvided
        ? "clinical-criteria-provided"
        : "clinical-criteria-assumed";

    public static string Code(this ClinicalFinding finding) => finding switch
    {
        ClinicalFinding.WeaknessNerveCount => "weakness-nerve-count",
        ClinicalFinding.WeaknessDuration => "weakness-duration",
        ClinicalFinding.ObjectiveSensoryLoss => "objective-sensory-loss",
        ClinicalFinding.UpperMotorNeuronSigns => "upper-motor-neuron-signs",
        ClinicalFinding.MarkedBulbarInvolvement => "marked-bulbar-involvement",
        ClinicalFinding.DiffuseSymmetricWeaknessEarly => "diffuse-symmetric-weakness-early",
        _ => throw new ArgumentOutOfRangeException(nameof(finding)),
    };

    private static string Reverse<T>(FrozenDictionary<string, T> table, T value)
        where T : struct, Enum => table.First(p => EqualityComparer<T>.Default.Equals(p.Value, value)).Key;
}
