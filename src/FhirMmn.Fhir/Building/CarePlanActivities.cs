using FhirMmn.Domain;

namespace FhirMmn.Fhir.Building;

/// <summary>One proposed activity: a code of CodeSystem/mmn-report, the kind of request, and the words with the dose.</summary>
internal sealed record PlannedActivity(string Code, string Display, string Kind, string Description, bool DoNotPerform = false);

/// <summary>
/// The guideline-based proposal per category (EFNS/PNS 2010 treatment recommendations; DESIGN.md sections 4 and 6).
/// </summary>
internal static class CarePlanActivities
{
    private const string Medication = "MedicationRequest";
    private const string Service = "ServiceRequest";

    private static readonly PlannedActivity IvigInduction = new("ivig-induction", "IVIg induction", Medication,
        "IVIg 2 g/kg over 2-5 days as first-line treatment.");

    private static readonly PlannedActivity IvigMaintenance = new("ivig-maintenance", "IVIg maintenance", Medication,
        "Maintenance IVIg guided by the response, typically 1 g/kg every 2-4 weeks or 2 g/kg every 1-2 months.");

    private static readonly PlannedActivity ScigMaintenance = new("scig-maintenance", "SCIg maintenance", Medication,
        "Subcutaneous immunoglobulin as an alternative for maintenance, at an equivalent dose.");

    private static readonly PlannedActivity NoCorticosteroids = new("corticosteroids", "Corticosteroids", Medication,
        "Do not give corticosteroids: not recommended, they may worsen a pure motor neuropathy.", DoNotPerform: true);

    private static readonly PlannedActivity NoPlasmaExchange = new("plasma-exchange", "Plasma exchange", Service,
        "Do not use plasma exchange: ineffective in MMN.", DoNotPerform: true);

    private static readonly PlannedActivity GripStrength = new("grip-strength", "Grip strength monitoring", Service,
        "Monitor grip strength with a vigorimeter.");

    private static readonly PlannedActivity MrcSumScore = new("mrc-sum-score", "MRC sum score", Service,
        "Monitor muscle strength with the MRC sum score.");

    private static readonly PlannedActivity MmnRods = new("mmn-rods", "MMN-RODS", Service,
        "Monitor disability with the MMN Rasch-built Overall Disability Scale (MMN-RODS).");

    private static readonly PlannedActivity FollowUp = new("neuromuscular-follow-up", "Neuromuscular follow-up", Service,
        "Follow-up in a neuromuscular clinic to adjust treatment to the response.");

    private static readonly PlannedActivity Physiotherapy = new("physiotherapy", "Physiotherapy", Service,
        "Physiotherapy as supportive care (not a guideline recommendation).");

    private static readonly PlannedActivity Review = new("neuromuscular-review", "Neuromuscular specialist review", Service,
        "Review by a neuromuscular specialist to confirm or refute the diagnosis.");

    private static readonly PlannedActivity ExtendedStudies = new("extended-conduction-study", "Extended motor conduction studies", Service,
        "Extended motor conduction studies: proximal stimulation up to Erb's point, and more nerves, with CMAP negative-peak area and duration at each site.");

    private static readonly PlannedActivity AntiGm1 = new("anti-gm1-test", "Anti-GM1 IgM antibodies", Service,
        "Test serum IgM anti-GM1 antibodies.");

    private static readonly PlannedActivity Csf = new("csf-examination", "CSF protein", Service,
        "Examine CSF protein.");

    private static readonly PlannedActivity PlexusMri = new("brachial-plexus-mri", "Brachial plexus MRI", Service,
        "MRI of the brachial plexus (T2-weighted) for hyperintensity and swelling.");

    private static readonly PlannedActivity IvigTrial = new("ivig-trial", "IVIg trial", Medication,
        "A trial of IVIg (2 g/kg over 2-5 days) at the specialist's discretion, with objective measures before and after.");

    private static readonly PlannedActivity MndWorkup = new("motor-neuron-disease-workup", "Motor neuron disease work-up", Service,
        "Work-up for motor neuron disease: upper motor neuron or bulbar signs point away from MMN.");

    private static readonly PlannedActivity CidpWorkup = new("cidp-workup", "CIDP / MADSAM work-up", Service,
        "Work-up for CIDP or its multifocal variant (MADSAM): sensory involvement points away from MMN.");

    public const string ImmunosuppressantNote =
        "No immunosuppressant has proven benefit in MMN; cyclophosphamide is undesirable for its toxicity.";

    public static IReadOnlyList<PlannedActivity> For(MmnAssessment assessment) => assessment.Category switch
    {
        MmnCategory.Definite or MmnCategory.Probable =>
        [
            IvigInduction, IvigMaintenance, ScigMaintenance, GripStrength, MrcSumScore, MmnRods, FollowUp,
            NoCorticosteroids, NoPlasmaExchange, Physiotherapy,
        ],
        MmnCategory.Possible => Possible(assessment),
        MmnCategory.InsufficientData => Deciding(assessment.MissingData),
        _ => NotMet(assessment),
    };

    private static List<PlannedActivity> Possible(MmnAssessment assessment)
    {
        var activities = new List<PlannedActivity> { Review, ExtendedStudies };
        if (NotDone(assessment, CriterionId.AntiGm1Raised))
        {
            activities.Add(AntiGm1);
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

    /// <summary>Only the tests that would decide: one activity per kind of test, naming every gap it closes.</summary>
    private static List<PlannedActivity> Deciding(IReadOnlyList<MissingDataFinding> missing) => missing
        .GroupBy(m => m.Test switch
        {
            DecidingTest.ExtendedMotorStudies => ExtendedStudies,
            DecidingTest.CmapAreaAndDuration => MeasureAreaAndDuration,
            _ => SensoryStudies,
        })
        .Select(g => g.Key with { Description = $"{g.Key.Description} Needed: {string.Join("; ", g.Select(m => m.WouldDecide).Distinct())}." })
        .ToList();

    private static readonly PlannedActivity MeasureAreaAndDuration = new("cmap-area-duration-measurement", "CMAP area and duration", Service,
        "Measure (or report) the CMAP negative-peak area and duration at each stimulation site, with the amplitude's lower limit of normal.");

    private static readonly PlannedActivity SensoryStudies = new("sensory-conduction-study", "Sensory conduction studies", Service,
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

        if (assessment.SensoryInvolvement)
        {
            activities.Add(CidpWorkup);
        }

        return activities;
    }
}
