namespace FhirMmn.Domain;

/// <summary>
/// The thresholds of the EFNS/PNS guideline on multifocal motor neuropathy: van Schaik IN, Cats EA,
/// van den Berg LH, et al. European Federation of Neurological Societies/Peripheral Nerve Society
/// guideline on management of multifocal motor neuropathy. First revision. J Peripher Nerv Syst
/// 2010;15:295-301. Clinical constants live here and nowhere else; they are never configuration.
/// A change to any of them is a new <see cref="Version"/>.
/// </summary>
public static class EfnsPns2010
{
    /// <summary>Identifies the criteria this classifier encodes.</summary>
    public const string Id = "efns-pns-2010";

    /// <summary>
    /// Version of FhirMmn's encoding of the criteria (the PlanDefinition's version too). 0.2.0 is criteria
    /// revision 2 (docs/criteria.md: spans, long and short segments, segmental SNAPs, caveats, ...;
    /// docs/criteria.md).
    /// </summary>
    public const string Version = "0.2.0";

    public const string Citation =
        "van Schaik IN et al. EFNS/PNS guideline on management of multifocal motor neuropathy. " +
        "J Peripher Nerv Syst 2010;15:295-301";

    /// <summary>Definite conduction block: negative-peak CMAP area reduction of at least 50 %.</summary>
    public const decimal DefiniteAreaReductionPercent = 50m;

    /// <summary>
    /// Probable conduction block in upper-limb nerves: area reduction of at least 30 %, over a long segment
    /// (one not wholly in the elbow region, <see cref="Vocabulary.IsInElbowRegion"/>).
    /// </summary>
    public const decimal ProbableAreaReductionPercent = 30m;

    /// <summary>Negative-peak duration increase allowed for definite (and 30 % probable) block: at most 30 %.</summary>
    public const decimal MaxDurationIncreasePercent = 30m;

    /// <summary>A segment is gradeable only if the distal CMAP amplitude is above 1 mV ...</summary>
    public const decimal DistalAmplitudeFloorMv = 1m;

    /// <summary>... and above 20 % of the lower limit of normal of that amplitude.</summary>
    public const decimal DistalAmplitudeFloorPercentOfLowerLimit = 20m;

    /// <summary>Core clinical criterion 1: weakness in the motor distribution of at least two nerves.</summary>
    public const int MinimumWeakNerves = 2;

    /// <summary>Core clinical criterion 1: weakness for more than one month (UCUM mo = 30.4375 d).</summary>
    public const decimal MinimumWeaknessDurationDays = 30.4375m;

    /// <summary>Supportive criterion 2: CSF protein raised, but below 1 g/L; at or above it a caveat points to CIDP.</summary>
    public const decimal CsfProteinCeilingGramsPerLitre = 1m;

    /// <summary>Upper limit of normal CSF protein used when the lab gives none.</summary>
    public const decimal DefaultCsfProteinUpperLimitGramsPerLitre = 0.45m;

    /// <summary>Probable MMN: a block in one nerve needs at least two supportive criteria.</summary>
    public const int SupportiveCriteriaForProbableWithOneBlock = 2;

    /// <summary>Days in one UCUM month (mo = 1/12 of a Julian year of 365.25 d).</summary>
    public const decimal DaysPerMonth = 30.4375m;
}
