namespace FhirMmn.Domain;

/// <summary>The four supportive criteria of EFNS/PNS 2010.</summary>
internal sealed record Supportive(int MetCount, IReadOnlyList<string> MetNames, bool IvigResponse, IReadOnlyList<CriterionResult> Criteria)
{
    public static Supportive Of(MmnEvidence evidence)
    {
        var c = evidence.Clinical;
        var criteria = new List<CriterionResult>
        {
            AntiGm1(evidence.AntiGm1),
            Csf(c.CsfProtein),
            Flag(CriterionId.MriPlexusHyperintensity, "Increased signal intensity on T2-weighted MRI with swelling of the brachial plexus", c.MriPlexusT2Hyperintensity),
            Flag(CriterionId.IvigResponse, "Objective clinical improvement following IVIg treatment", c.IvigResponse),
        };
        var met = criteria.Where(r => r.Status == CriterionStatus.Met).ToList();
        return new(met.Count, met.Select(r => Short(r.Id)).ToList(), c.IvigResponse == true, criteria);
    }

    private static string Short(CriterionId id) => id switch
    {
        CriterionId.AntiGm1Raised => "raised IgM anti-GM1",
        CriterionId.CsfProteinRaised => "raised CSF protein below 1 g/L",
        CriterionId.MriPlexusHyperintensity => "brachial plexus MRI T2 hyperintensity",
        CriterionId.IvigResponse => "response to IVIg",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static CriterionResult AntiGm1(IReadOnlyList<AntiGm1Result> results)
    {
        const string title = "Raised IgM anti-ganglioside GM1 antibodies";
        var read = results.Select(r => (Raised: r.Interpretation switch
        {
            LabInterpretation.Raised => true,
            LabInterpretation.NotRaised => false,
            _ => r.ValueSaysRaised(),
        }, Text: r.Interpretation == LabInterpretation.None ? r.DescribeValue() : $"{r.DescribeValue()}, flagged {(r.Interpretation == LabInterpretation.Raised ? "raised" : "not raised")} by the lab")).ToList();
        var detail = string.Join("; ", read.Select(r => r.Raised switch
        {
            true => $"raised ({r.Text})",
            false => $"not raised ({r.Text})",
            null => $"could not be interpreted ({r.Text}); counted as not provided",
        }));
        if (read.Any(r => r.Raised == true))
        {
            return new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.Met, false, detail);
        }

        return read.Any(r => r.Raised == false)
            ? new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false, detail)
            : new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false,
                read.Count == 0 ? "not provided" : detail);
    }

    private static CriterionResult Csf(CsfProtein? csf)
    {
        const string title = "Increased CSF protein (below 1 g/L)";
        if (csf is null)
        {
            return new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false, "not provided");
        }

        var limit = csf.UpperLimitGramsPerLitre ?? EfnsPns2010.DefaultCsfProteinUpperLimitGramsPerLitre;
        var raised = csf.GramsPerLitre.IsAbove(limit);
        var belowCeiling = csf.GramsPerLitre.IsBelow(EfnsPns2010.CsfProteinCeilingGramsPerLitre);
        var limitText = csf.UpperLimitGramsPerLitre is null
            ? $"the default upper limit {Measured.Format(limit)} g/L"
            : $"the lab's upper limit {Measured.Format(limit)} g/L";
        var value = $"{csf.GramsPerLitre} g/L";
        var ceiling = Measured.Format(EfnsPns2010.CsfProteinCeilingGramsPerLitre);
        return (raised, belowCeiling) switch
        {
            (true, true) => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.Met, false,
                $"{value}: above {limitText} and below {ceiling} g/L"),
            (false, _) => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false,
                $"{value}: not above {limitText}"),
            (_, false) => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false,
                $"{value}: {ceiling} g/L or more"),
            _ => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false,
                $"{value}: cannot be compared with {limitText} and {ceiling} g/L"),
        };
    }

    private static CriterionResult Flag(CriterionId id, string title, bool? value) => value switch
    {
        true => new(id, CriterionGroup.Supportive, title, CriterionStatus.Met, false, "present"),
        false => new(id, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false, "absent"),
        null => new(id, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false, "not provided"),
    };
}
