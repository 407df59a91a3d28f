using System.Globalization;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Building;

/// <summary>The words of the report: category names, the conclusion and the XHTML narrative a neurologist reads.</summary>
internal static class ReportText
{
    public static string CategoryDisplay(MmnCategory category) => category switch
    {
        MmnCategory.Definite => "Definite MMN",
        MmnCategory.Probable => "Probable MMN",
        MmnCategory.Possible => "Possible MMN",
        MmnCategory.CriteriaNotMet => "EFNS/PNS 2010 criteria for MMN not met",
        MmnCategory.InsufficientData => "Insufficient data for an MMN assessment",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string BasisDisplay(ClinicalBasis basis) => basis == ClinicalBasis.ClinicalCriteriaProvided
        ? "Clinical criteria provided"
        : "Clinical criteria assumed";

    /// <summary>
    /// The category with its condition (DESIGN.md section 4.1 item 10): "Definite MMN, if the clinical
    /// criteria are met" when the basis is assumed, else the category's display.
    /// </summary>
    public static string CategoryText(MmnAssessment assessment) =>
        ConditionApplies(assessment) ? $"{CategoryDisplay(assessment.Category)}, if the clinical criteria are met" : CategoryDisplay(assessment.Category);

    /// <summary>The category with its condition, or null when none applies (then the coding's display says it all).</summary>
    public static string? ConditionalCategoryText(MmnAssessment assessment) => ConditionApplies(assessment) ? CategoryText(assessment) : null;

    private static bool ConditionApplies(MmnAssessment assessment) =>
        assessment.Basis == ClinicalBasis.ClinicalCriteriaAssumed
        && assessment.Category is MmnCategory.Definite or MmnCategory.Probable or MmnCategory.Possible;

    /// <summary>The plain-language summary: category, the deciding reason, and what was assumed.</summary>
    public static string Conclusion(MmnAssessment assessment)
    {
        var assumed = assessment.Basis == ClinicalBasis.ClinicalCriteriaAssumed;
        var headline = assessment.Category switch
        {
            MmnCategory.Definite => "Definite multifocal motor neuropathy by the EFNS/PNS 2010 criteria",
            MmnCategory.Probable => "Probable multifocal motor neuropathy by the EFNS/PNS 2010 criteria",
            MmnCategory.Possible => "Possible multifocal motor neuropathy by the EFNS/PNS 2010 criteria",
            MmnCategory.CriteriaNotMet => "The EFNS/PNS 2010 criteria for multifocal motor neuropathy are not met",
            _ => "Insufficient data to assess multifocal motor neuropathy by the EFNS/PNS 2010 criteria",
        };
        if (ConditionApplies(assessment))
        {
            headline += ", if the clinical criteria are met";
        }

        var parts = new List<string> { headline + "." };
        parts.AddRange(assessment.Reasons.Where(r => !r.StartsWith("Not provided", StringComparison.Ordinal)));
        if (assumed)
        {
            parts.Add("This holds if the clinical criteria are met; not provided, and assumed: " +
                string.Join(", ", assessment.AssumedFindings.Select(f => f.Describe())) + ".");
        }

        if (assessment.Caveats.Count > 0)
        {
            parts.Add("Caveats (they do not change the category): " + string.Join("; ", assessment.Caveats.Select(c => c.Text)) + ".");
        }

        parts.Add("Machine-generated decision support; to be verified by a neurologist.");
        return string.Join(" ", parts);
    }

    public static string Narrative(MmnAssessment assessment, AssembledEvidence evidence, string conclusion)
    {
        var x = new Xhtml();
        x.Open("p").Element("b", $"MMN assessment (EFNS/PNS 2010): {CategoryText(assessment)}").Close("p");
        x.Element("p", conclusion);
        x.Element("p", $"Basis: {BasisDisplay(assessment.Basis)}." + (assessment.AssumedFindings.Count > 0
            ? " Not provided, assumed favourable: " + string.Join(", ", assessment.AssumedFindings.Select(f => f.Describe())) + "."
            : string.Empty));

        x.Element("h3", "Motor conduction: segments and spans");
        if (assessment.Segments.Count == 0)
        {
            x.Element("p", "No segment: each motor study needs at least two stimulation sites.");
        }
        else
        {
            x.Open("table").Open("thead").HeaderRow("Nerve", "Side", "Segment", "Area reduction", "Duration increase", "Grade", "Why").Close("thead").Open("tbody");
            foreach (var s in assessment.Segments)
            {
                x.DataRow(
                    s.Nerve.Name(),
                    s.Side.Name(),
                    s.Kind == SegmentKind.Span ? $"{s.Name} (span)" : s.Name,
                    s.AreaReductionPercent is { } r ? Percent.Format(r) : "-",
                    s.DurationIncreasePercent is { } d ? Percent.Format(d) : "-",
                    SegmentGrade(s),
                    s.Why + string.Concat(s.Caveats.Select(c => $"; caveat: {c.Text}")) + (s.Decided ? " (decided the category)" : string.Empty));
            }

            x.Close("tbody").Close("table");
        }

        if (assessment.Nerves.Any(n => n.Grade != BlockGrade.None))
        {
            x.Element("h3", "Nerves with conduction block");
            x.List(assessment.Nerves.Where(n => n.Grade != BlockGrade.None).Select(n =>
                $"{n.Name}: {Lower(n.Counts ? n.CountedGrade : n.Grade)} conduction block" +
                (n.Deciding is { } row ? $" ({(row.Kind == SegmentKind.Span ? "span " : string.Empty)}{row.Name})" : string.Empty) +
                $"; {n.SensoryWhy}; {(n.Counts ? "counts" : "does not count")}"));
        }

        if (assessment.Caveats.Count > 0)
        {
            x.Element("h3", "Caveats (they do not change the category)");
            x.List(assessment.Caveats.Select(c => c.Text));
        }

        x.Element("h3", "Criteria checklist");
        x.Open("table").Open("thead").HeaderRow("Group", "Criterion", "Status", "Detail").Close("thead").Open("tbody");
        foreach (var c in assessment.Criteria)
        {
            x.DataRow(Group(c.Group), c.Title, Status(c), c.Detail + string.Concat(c.Caveats.Select(v => $"; caveat: {v.Text}")));
        }

        x.Close("tbody").Close("table");

        if (assessment.MissingData.Count > 0)
        {
            x.Element("h3", "Missing data, and what would decide");
            x.List(assessment.MissingData.Select(m => $"{m.Finding}. Needed: {m.WouldDecide}."));
        }

        if (evidence.NotUsed.Count > 0)
        {
            x.Element("h3", "Results not used");
            x.List(evidence.NotUsed.Select(n => $"{Describe(n.Observation)}: {n.Reason}"));
        }

        x.Element("p", $"Results used: {evidence.Used.Count}. Classifier {ClassifierInfo.SoftwareVersion}, criteria {ClassifierInfo.CriteriaVersion} ({EfnsPns2010.Citation}).");
        return x.ToString();
    }

    private static string SegmentGrade(SegmentFinding s) => s.Status switch
    {
        SegmentStatus.Graded => s.Grade switch
        {
            BlockGrade.Definite => "definite CB",
            BlockGrade.Probable => "probable CB",
            _ => "no CB",
        },
        SegmentStatus.NotGradeable => "not gradeable (not sent)",
        SegmentStatus.NotAssessable => "not assessable",
        SegmentStatus.EntrapmentSite => "not graded (entrapment site)",
        _ => "not graded",
    };

    private static string Lower(BlockGrade grade) => grade.ToString().ToLowerInvariant();

    private static string Group(CriterionGroup group) => group switch
    {
        CriterionGroup.CoreClinical => "Core clinical",
        CriterionGroup.Exclusion => "Exclusion",
        CriterionGroup.Electrophysiological => "Electrophysiological",
        _ => "Supportive",
    };

    private static string Status(CriterionResult c) => c.Status switch
    {
        CriterionStatus.Met => "met",
        CriterionStatus.NotMet => "not met",
        CriterionStatus.Equivocal => "equivocal",
        _ => c.Assumed ? "not provided (assumed)" : "not provided",
    };

    /// <summary>Names a result by what it is, never by its values.</summary>
    private static string Describe(FeedObservation o)
    {
        var what = o.Reading switch
        {
            CmapReading c => $"CMAP, {c.Side.Name()} {c.Nerve.Name()} at {c.Site.Name()}",
            SnapReading { Site: { } site } s when !s.Nerve.IsDistalSnapSite(site) => $"SNAP, {s.Side.Name()} {s.Nerve.Name()} stimulated at {site.Name()}",
            SnapReading s => $"SNAP, {s.Side.Name()} {s.Nerve.Name()}",
            AntiGm1Reading => "anti-GM1 IgM",
            ClinicalReading c => $"clinical finding {c.Code.Code()}",
            _ => "result",
        };
        var date = o.EffectiveText.Length >= 10 ? o.EffectiveText[..10] : o.EffectiveText;
        return string.Create(CultureInfo.InvariantCulture, $"{what} ({date})");
    }
}
