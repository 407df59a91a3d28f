namespace FhirMmn.Domain;

/// <summary>
/// The four supportive criteria of EFNS/PNS 2010. <see cref="Open"/>: those not provided or equivocal,
/// each with the test that would decide it (criteria revision 2 items 3 and 9, docs/criteria.md).
/// </summary>
internal sealed record Supportive(
    int MetCount,
    IReadOnlyList<string> MetNames,
    bool IvigResponse,
    IReadOnlyList<CriterionResult> Criteria,
    IReadOnlyList<(CriterionId Id, DecidingTest Test, string Name)> Open,
    bool AntiGm1Equivocal,
    bool CsfProteinOneGramOrMore)
{
    public static Supportive Of(MmnEvidence evidence)
    {
        var c = evidence.Clinical;
        var csf = Csf(c.CsfProtein);
        var criteria = new List<CriterionResult>
        {
            AntiGm1(evidence.AntiGm1),
            csf,
            Flag(CriterionId.MriPlexusHyperintensity, "Increased signal intensity on T2-weighted MRI with swelling of the brachial plexus", c.MriPlexusT2Hyperintensity),
            Flag(CriterionId.IvigResponse, "Objective clinical improvement following IVIg treatment", c.IvigResponse),
        };
        var met = criteria.Where(r => r.Status == CriterionStatus.Met).ToList();
        var open = criteria
            .Where(r => r.Status is CriterionStatus.NotProvided or CriterionStatus.Equivocal)
            .Select(r => (r.Id, Test(r), NotDoneName(r)))
            .ToList();
        return new(met.Count, met.Select(r => Short(r.Id)).ToList(), c.IvigResponse == true, criteria, open,
            criteria[0].Status == CriterionStatus.Equivocal, csf.Caveats.Count > 0);
    }

    /// <summary>The same picture with these open criteria taken as met: what a test could still decide.</summary>
    public Supportive AssumingMet(IEnumerable<CriterionId> ids)
    {
        var opened = Open.Where(o => ids.Contains(o.Id)).ToList();
        return this with
        {
            MetCount = MetCount + opened.Count,
            MetNames = [.. MetNames, .. opened.Select(o => Short(o.Id))],
            IvigResponse = IvigResponse || opened.Any(o => o.Id == CriterionId.IvigResponse),
        };
    }

    private static DecidingTest Test(CriterionResult r) => r.Id switch
    {
        CriterionId.AntiGm1Raised => r.Status == CriterionStatus.Equivocal ? DecidingTest.AntiGm1Repeat : DecidingTest.AntiGm1,
        CriterionId.CsfProteinRaised => DecidingTest.CsfProtein,
        CriterionId.MriPlexusHyperintensity => DecidingTest.PlexusMri,
        _ => DecidingTest.IvigTrial,
    };

    private static string NotDoneName(CriterionResult r) => r.Id switch
    {
        CriterionId.AntiGm1Raised => r.Status == CriterionStatus.Equivocal ? "a repeat of the equivocal IgM anti-GM1 antibodies" : "IgM anti-GM1 antibodies",
        CriterionId.CsfProteinRaised => "CSF protein",
        CriterionId.MriPlexusHyperintensity => "brachial plexus MRI",
        _ => "an objective response to an IVIg trial",
    };

    private static string Short(CriterionId id) => id switch
    {
        CriterionId.AntiGm1Raised => "raised IgM anti-GM1",
        CriterionId.CsfProteinRaised => "raised CSF protein below 1 g/L",
        CriterionId.MriPlexusHyperintensity => "brachial plexus MRI T2 hyperintensity",
        CriterionId.IvigResponse => "response to IVIg",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private enum AntiGm1Reading
    {
        Raised,
        NotRaised,
        Equivocal,
        Unreadable,
    }

    /// <summary>
    /// Any raised result meets the criterion (titres fall with treatment). Otherwise the newest result the
    /// lab or the value could read decides between equivocal (E, IND) and not raised: a repeat that comes
    /// back negative answers an earlier equivocal one, and an equivocal one after a negative asks again.
    /// </summary>
    private static CriterionResult AntiGm1(IReadOnlyList<AntiGm1Result> results)
    {
        const string title = "Raised IgM anti-ganglioside GM1 antibodies";
        var read = results.Select(r => (Reading: r.Interpretation switch
        {
            LabInterpretation.Raised => AntiGm1Reading.Raised,
            LabInterpretation.NotRaised => AntiGm1Reading.NotRaised,
            LabInterpretation.Equivocal => AntiGm1Reading.Equivocal,
            _ => r.ValueSaysRaised() switch
            {
                true => AntiGm1Reading.Raised,
                false => AntiGm1Reading.NotRaised,
                null => AntiGm1Reading.Unreadable,
            },
        }, Text: r.Interpretation switch
        {
            LabInterpretation.None => r.DescribeValue(),
            LabInterpretation.Raised => $"{r.DescribeValue()}, flagged raised by the lab",
            LabInterpretation.Equivocal => $"{r.DescribeValue()}, flagged equivocal by the lab",
            _ => $"{r.DescribeValue()}, flagged not raised by the lab",
        })).ToList();
        var detail = string.Join("; ", read.Select(r => r.Reading switch
        {
            AntiGm1Reading.Raised => $"raised ({r.Text})",
            AntiGm1Reading.NotRaised => $"not raised ({r.Text})",
            AntiGm1Reading.Equivocal => $"equivocal ({r.Text})",
            _ => $"could not be interpreted ({r.Text}); counted as not provided",
        }));
        if (read.Any(r => r.Reading == AntiGm1Reading.Raised))
        {
            return new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.Met, false, detail);
        }

        var newest = read.LastOrDefault(r => r.Reading != AntiGm1Reading.Unreadable).Reading;
        return read.All(r => r.Reading == AntiGm1Reading.Unreadable)
            ? new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false,
                read.Count == 0 ? "not provided" : detail)
            : newest == AntiGm1Reading.Equivocal
                ? new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.Equivocal, false,
                    $"{detail}: equivocal, neither raised nor not raised")
                : new(CriterionId.AntiGm1Raised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false, detail);
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

        // Section 4.1 item 7: at or above 1 g/L the protein points to CIDP; the caveat does not change the category.
        IReadOnlyList<Caveat> caveats = belowCeiling == false
            ? [new(CaveatKind.CsfProteinOneGramOrMore, $"CSF protein of {ceiling} g/L or more points to CIDP rather than MMN: consider the CIDP work-up")]
            : [];
        var result = (raised, belowCeiling) switch
        {
            (true, true) => new CriterionResult(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.Met, false,
                $"{value}: above {limitText} and below {ceiling} g/L"),
            (false, _) => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false,
                $"{value}: not above {limitText}"),
            (_, false) => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false,
                $"{value}: {ceiling} g/L or more"),
            _ => new(CriterionId.CsfProteinRaised, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false,
                $"{value}: cannot be compared with {limitText} and {ceiling} g/L"),
        };
        return result with { Caveats = caveats };
    }

    private static CriterionResult Flag(CriterionId id, string title, bool? value) => value switch
    {
        true => new(id, CriterionGroup.Supportive, title, CriterionStatus.Met, false, "present"),
        false => new(id, CriterionGroup.Supportive, title, CriterionStatus.NotMet, false, "absent"),
        null => new(id, CriterionGroup.Supportive, title, CriterionStatus.NotProvided, false, "not provided"),
    };
}
