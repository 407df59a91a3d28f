using FhirMmn.Domain;

namespace FhirMmn.Fhir.Building;

/// <summary>One proposed activity: a code of CodeSystem/mmn-report with exactly its display, the kind of request, and the words with the dose.</summary>
internal sealed record PlannedActivity(string Code, string Display, string Kind, string Description, bool DoNotPerform = false);

/// <summary>
/// The guideline-based proposal per category (EFNS/PNS 2010 treatment recommendations; docs/criteria.md and docs/write-back.md).
/// </summary>
internal static class CarePlanActivities
{
    private const string Medication = "MedicationRequest";
    private const string Service = "ServiceRequest";

    private static readonly PlannedActivity IvigInduction = new("ivig-induction", "IVIg induction", Medication,
        "IVIg 2 g/kg over 2-5 days as first-line treatment when disability is sufficiently severe to warrant treatment.");

    private static readonly PlannedActivity IvigMaintenance = new("ivig-maintenance", "IVIg maintenance", Medication,
        "Maintenance IVIg guided by the response, typically 1 g/kg every 2-4 weeks or 2 g/kg every 1-2 months.");

    private static readonly PlannedActivity ScigMaintenance = new("scig-maintenance", "SCIg maintenance", Medication,
        "Subcutaneous immunoglobulin as an alternative for maintenance, at an equivalent dose, with smaller trials behind it than IVIg.");

    private static readonly PlannedActivity NoCorticosteroids = new("corticosteroids", "Corticosteroids", Medication,
        "Do not give corticosteroids: not recommended, they may worsen a pure motor neuropathy.", DoNotPerform: true);

    private static readonly PlannedActivity NoPlasmaExchange = new("plasma-exchange", "Plasma exchange", Service,
        "Do not use plasma exchange: ineffective in MMN.", DoNotPerform: true);

    private static readonly PlannedActivity GripStrength = new("grip-strength", "Grip strength measurement", Service,
        "Monitor grip strength with a vigorimeter.");

    private static readonly PlannedActivity MrcSumScore = new("mrc-sum-score", "MRC sum score", Service,
        "Monitor muscle strength with the MRC sum score.");

    private static readonly PlannedActivity MmnRods = new("mmn-rods", "MMN-RODS", Service,
        "Monitor disability with the MMN Rasch-built Overall Disability Scale (MMN-RODS).");

    private static readonly PlannedActivity FollowUp = new("neuromuscular-follow-up", "Neuromuscular follow-up", Service,
        "Follow-up in a neuromuscular clinic to adjust treatment to the response.");

    private static readonly PlannedActivity Physiotherapy = new("physiotherapy", "Physiotherapy", Service,
        "Physiotherapy as supportive care (not a guideline recommendation).");

    private static readonly PlannedActivity Review = new("neuromuscular-review", "Neuromuscular review", Service,
        "Review by a neuromuscular specialist to confirm or refute the diagnosis.");

    private static readonly PlannedActivity ExtendedStudies = new("extended-conduction-study", "Extended nerve conduction study", Service,
        "Extended motor conduction studies: proximal stimulation up to Erb's point, and more nerves, with CMAP negative-peak area and duration at each site.");

    private static readonly PlannedActivity AntiGm1 = new("anti-gm1-test", "Anti-GM1 IgM antibody test", Service,
        "Test serum IgM anti-GM1 antibodies.");

    private static readonly PlannedActivity Csf = new("csf-examination", "CSF examination", Service,
        "Examine CSF protein.");

    private static readonly PlannedActivity PlexusMri = new("brachial-plexus-mri", "Brachial plexus MRI", Service,
        "MRI of the brachial plexus (T2-weighted) for hyperintensity and swelling.");

    private static readonly PlannedActivity IvigTrial = new("ivig-trial", "IVIg trial", Medication,
        "A trial of IVIg (2 g/kg over 2-5 days) at the specialist's discretion, with objective measures before and after.");

    private static readonly PlannedActivity MndWorkup = new("motor-neuron-disease-workup", "Motor neuron disease work-up", Service,
        "Work-up for motor neuron disease: upper motor neuron or bulbar signs point away from MMN.");

    private static readonly PlannedActivity CidpWorkup = new("cidp-workup", "CIDP / MADSAM work-up", Service,
        "Work-up for CIDP or its multifocal variant (MADSAM): sensory involvement points away from MMN.");

    private static readonly PlannedActivity CriteriaAssessment = new("clinical-criteria-assessment", "Neuromuscular assessment of the clinical criteria", Service,
        "Neuromuscular assessment of the clinical criteria that were not provided and were assumed met");

    private static readonly PlannedActivity AntiGm1Repeat = new("anti-gm1-repeat", "Repeat anti-GM1 IgM antibody test", Service,
        "Repeat the serum IgM anti-GM1 antibody test: the last result was equivocal, and a raised one could change the category.");

    private static readonly PlannedActivity SensoryStudyAcrossBlock = new("sensory-study-across-block", "Sensory conduction study across the blocked segment", Service,
        "A segmental sensory conduction study across the blocked segment (SNAP stimulated at or above the block's proximal site, with the lower limit of normal): the distal SNAP is low.");

    private static readonly PlannedActivity OtherNerveStudies = new("other-nerve-motor-study", "Motor conduction studies of other nerves", Service,
        "Motor conduction studies of other nerves, with CMAP negative-peak area and duration at each site: a segment whose distal CMAP is too low (axonal loss) cannot be assessed for a block, and studying it again would not decide.");

    /// <summary>Section 4.1 item 10: on assumed clinical criteria, treatment and monitoring hold only once they are confirmed.</summary>
    private const string IfConfirmed = "If the clinical criteria are confirmed: ";

    public const string ImmunosuppressantNote =
        "No immunosuppressant has proven benefit in MMN; cyclophosphamide is undesirable for its toxicity.";

    public static IReadOnlyList<PlannedActivity> For(MmnAssessment assessment) => assessment.Category switch
    {
        MmnCategory.Definite or MmnCategory.Probable => Treatment(assessment),
        MmnCategory.Possible => Possible(assessment),
        MmnCategory.InsufficientData => Deciding(assessment.MissingData),
        _ => NotMet(assessment),
    };

    /// <summary>
    /// The guideline treatment. On assumed clinical criteria (section 4.1 item 10) it starts with a
    /// neuromuscular assessment of the assumed criteria, named, and IVIg, SCIg and monitoring wait for it.
    /// </summary>
    private static List<PlannedActivity> Treatment(MmnAssessment assessment)
    {
        List<PlannedActivity> conditional = [IvigInduction, IvigMaintenance, ScigMaintenance, GripStrength, MrcSumScore, MmnRods];
        if (assessment.Basis == ClinicalBasis.ClinicalCriteriaProvided)
        {
            return [.. conditional, FollowUp, NoCorticosteroids, NoPlasmaExchange, Physiotherapy];
        }

        var assumed = string.Join("; ", assessment.AssumedFindings.Select(f => f.Describe()));
        var first = CriteriaAssessment with
        {
            Description = $"{CriteriaAssessment.Description}: {assumed}. The result ({ReportText.CategoryDisplay(assessment.Category)}) holds only if they are met.",
        };
        return
        [
            first,
            .. conditional.Select(a => a with { Description = IfConfirmed + Lower(a.Description) }),
            FollowUp, NoCorticosteroids, NoPlasmaExchange, Physiotherapy,
        ];
    }

    private static string Lower(string text) =>
        text.StartsWith("IVIg", StringComparison.Ordinal) || text.StartsWith("MMN", StringComparison.Ordinal) ? text : char.ToLowerInvariant(text[0]) + text[1..];

    private static List<PlannedActivity> Possible(MmnAssessment assessment)
    {
        var activities = new List<PlannedActivity> { Review, ExtendedStudies };
        if (NotDone(assessment, CriterionId.AntiGm1Raised))
        {
            activities.Add(AntiGm1);
        }
        else if (assessment.AntiGm1RepeatCouldDecide)
        {
            activities.Add(AntiGm1Repeat);
        }

        if (NotDone(assessment, CriterionId.CsfProteinRaised))
        {
            activities.Add(Csf);
        }

        if (NotDone(assessment, CriterionId.MriPlexusHyperintensity))
        {
            activities.Add(PlexusMri);
        }

        activities.AddRange([IvigTrial, NoCorticosteroids, NoPlasmaExchange]);
        return activities;
    }

    private static bool NotDone(MmnAssessment assessment, CriterionId id) =>
        assessment.Criteria.Any(c => c.Id == id && c.Status == CriterionStatus.NotProvided);

    /// <summary>
    /// Only the tests that would decide: one activity per kind of test, naming every gap it closes (for a
    /// supportive test, why it would decide).
    /// </summary>
    private static List<PlannedActivity> Deciding(IReadOnlyList<MissingDataFinding> missing) => missing
        .GroupBy(m => m.Test switch
        {
            DecidingTest.ExtendedMotorStudies => ExtendedStudies,
            DecidingTest.CmapAreaAndDuration => MeasureAreaAndDuration,
            DecidingTest.OtherNerves => OtherNerveStudies,
            DecidingTest.SensoryStudyAcrossBlock => SensoryStudyAcrossBlock,
            DecidingTest.AntiGm1 => AntiGm1,
            DecidingTest.AntiGm1Repeat => AntiGm1Repeat,
            DecidingTest.CsfProtein => Csf,
            DecidingTest.PlexusMri => PlexusMri,
            DecidingTest.IvigTrial => IvigTrial,
            _ => SensoryStudies,
        })
        .Select(g => g.All(m => m.Kind == MissingDataKind.SupportiveTestNotDone)
            ? g.Key with { Description = $"{g.Key.Description} It would decide: {string.Join("; ", g.Select(m => m.Finding).Distinct())}." }
            : g.Key with { Description = $"{g.Key.Description} Needed: {string.Join("; ", g.Select(m => m.WouldDecide).Distinct())}." })
        .ToList();

    private static readonly PlannedActivity MeasureAreaAndDuration = new("cmap-area-duration-measurement", "CMAP area and duration measurement", Service,
        "Measure (or report) the CMAP negative-peak area and duration at each stimulation site, with the amplitude's lower limit of normal.");

    private static readonly PlannedActivity SensoryStudies = new("sensory-conduction-study", "Sensory nerve conduction study", Service,
        "Sensory nerve conduction studies (SNAP amplitude with the lower limit of normal) of the nerves with conduction block, and of the upper limbs.");

    private static List<PlannedActivity> NotMet(MmnAssessment assessment)
    {
        var activities = new List<PlannedActivity>
        {
            Review with { Description = "Referral to a neuromuscular specialist. No MMN-specific treatment is proposed: the EFNS/PNS 2010 criteria are not met." },
        };
        if (assessment.UpperMotorNeuronOrBulbarSigns)
        {
            activities.Add(MndWorkup);
        }

        if (assessment.SensoryInvolvement || assessment.CsfProteinOneGramOrMore)
        {
            activities.Add(assessment.SensoryInvolvement ? CidpWorkup : CidpWorkup with
            {
                Description = "Work-up for CIDP or its multifocal variant (MADSAM): a CSF protein of 1 g/L or more points away from MMN.",
            });
        }

        return activities;
    }
}
