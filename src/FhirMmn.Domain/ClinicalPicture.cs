namespace FhirMmn.Domain;

/// <summary>
/// The core clinical criteria and the exclusions. A finding that is not provided (or whose comparator
/// leaves it open) is assumed favourable and named in <see cref="Assumed"/>.
/// </summary>
internal sealed record ClinicalPicture(
    bool TwoOrMoreWeakNerves,
    bool ExactlyOneWeakNerve,
    string WeakNerveText,
    IReadOnlyList<ClinicalFinding> Assumed,
    IReadOnlyList<string> Exclusions,
    IReadOnlyList<CriterionResult> Criteria)
{
    public static ClinicalPicture Of(ClinicalFindings c)
    {
        var assumed = new List<ClinicalFinding>();
        var exclusions = new List<string>();
        var criteria = new List<CriterionResult>();

        // Core 1: weakness in the motor distribution of at least two nerves ...
        var count = c.WeakNerveCount;
        const string weakTitle = "Weakness in the motor distribution of at least two nerves";
        if (count is null)
        {
            assumed.Add(ClinicalFinding.WeaknessNerveCount);
            criteria.Add(new(CriterionId.WeaknessInTwoNerves, CriterionGroup.CoreClinical, weakTitle, CriterionStatus.NotProvided, true,
                "not provided; assumed met"));
        }
        else
        {
            var met = count >= EfnsPns2010.MinimumWeakNerves;
            var detail = met ? $"{count} nerves"
                : count == 1 ? "one nerve: at most possible MMN"
                : $"{count} nerves";
            criteria.Add(new(CriterionId.WeaknessInTwoNerves, CriterionGroup.CoreClinical, weakTitle,
                met ? CriterionStatus.Met : CriterionStatus.NotMet, false, detail));
        }

        // ... for more than one month.
        const string durationTitle = "Weakness for more than one month";
        var above = c.WeaknessDurationDays?.IsAbove(EfnsPns2010.MinimumWeaknessDurationDays);
        if (above is null)
        {
            assumed.Add(ClinicalFinding.WeaknessDuration);
            var detail = c.WeaknessDurationDays is null
                ? "not provided; assumed met"
                : $"reported as {Months(c.WeaknessDurationDays.Value)}, which does not decide it; assumed met";
            criteria.Add(new(CriterionId.WeaknessOverOneMonth, CriterionGroup.CoreClinical, durationTitle, CriterionStatus.NotProvided, true, detail));
        }
        else
        {
            var detail = Months(c.WeaknessDurationDays!.Value);
            criteria.Add(new(CriterionId.WeaknessOverOneMonth, CriterionGroup.CoreClinical, durationTitle,
                above.Value ? CriterionStatus.Met : CriterionStatus.NotMet, false, detail));
            if (!above.Value)
            {
                exclusions.Add($"weakness for one month or less ({detail})");
            }
        }

        // Core 2 and the exclusions: each finding, when present, excludes MMN.
        void Absent(bool? value, ClinicalFinding finding, CriterionId id, CriterionGroup group, string title, string present)
        {
            if (value is null)
            {
                assumed.Add(finding);
                criteria.Add(new(id, group, title, CriterionStatus.NotProvided, true, "not provided; assumed absent"));
                return;
            }

            criteria.Add(new(id, group, title, value.Value ? CriterionStatus.NotMet : CriterionStatus.Met, false,
                value.Value ? "present" : "absent"));
            if (value.Value)
            {
                exclusions.Add(present);
            }
        }

        Absent(c.ObjectiveSensoryLoss, ClinicalFinding.ObjectiveSensoryLoss, CriterionId.NoObjectiveSensoryLoss, CriterionGroup.CoreClinical,
            "No objective sensory abnormalities except minor vibration sense loss in the lower limbs", "objective sensory loss");
        Absent(c.UpperMotorNeuronSigns, ClinicalFinding.UpperMotorNeuronSigns, CriterionId.NoUpperMotorNeuronSigns, CriterionGroup.Exclusion,
            "No upper motor neuron signs", "upper motor neuron signs");
        Absent(c.MarkedBulbarInvolvement, ClinicalFinding.MarkedBulbarInvolvement, CriterionId.NoMarkedBulbarInvolvement, CriterionGroup.Exclusion,
            "No marked bulbar involvement", "marked bulbar involvement");
        Absent(c.DiffuseSymmetricWeaknessEarly, ClinicalFinding.DiffuseSymmetricWeaknessEarly, CriterionId.NoDiffuseSymmetricWeaknessEarly, CriterionGroup.Exclusion,
            "No diffuse symmetric weakness during the initial weeks", "diffuse symmetric weakness in the first weeks");

        // Exclusions in the guideline's order: objective sensory loss is listed with them.
        return new(
            TwoOrMoreWeakNerves: count is null || count >= EfnsPns2010.MinimumWeakNerves,
            ExactlyOneWeakNerve: count == 1,
            WeakNerveText: count is null ? "assumed" : $"{count} reported",
            assumed.Order().ToList(),
            exclusions,
            criteria);
    }

    private static string Months(Measured days)
    {
        var months = Math.Round(days.Value / EfnsPns2010.DaysPerMonth, 2, MidpointRounding.AwayFromZero);
        return $"{new Measured(months, days.Comparator)} months";
    }
}
