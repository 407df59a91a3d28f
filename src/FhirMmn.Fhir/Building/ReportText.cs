using System.Globalization;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Building;

/// <summary>
/// The words of the report: category names, the conclusion and the XHTML narrative a neurologist reads
/// (layout: docs/report.md). Everything in them is plain words; no code of a code system reaches the prose.
/// </summary>
internal static class ReportText
{
    /// <summary>Exactly the display of CodeSystem/mmn-category (issue 11 item 4); qualifiers go in the concept's text.</summary>
    public static string CategoryDisplay(MmnCategory category) => category switch
    {
        MmnCategory.Definite => "Definite MMN",
        MmnCategory.Probable => "Probable MMN",
        MmnCategory.Possible => "Possible MMN",
        MmnCategory.CriteriaNotMet => "Criteria not met",
        MmnCategory.InsufficientData => "Insufficient data",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string BasisDisplay(ClinicalBasis basis) => basis == ClinicalBasis.ClinicalCriteriaProvided
        ? "Clinical criteria provided"
        : "Clinical criteria assumed";

    /// <summary>
    /// The category in full words with its condition (criteria revision 2 item 10, docs/criteria.md): "Definite MMN, if the clinical
    /// criteria are met" when the basis is assumed; the words for people, where the coding's display (the code
    /// system's) may be terser ("Insufficient data").
    /// </summary>
    public static string CategoryText(MmnAssessment assessment) =>
        ConditionApplies(assessment) ? $"{CategoryWords(assessment.Category)}, if the clinical criteria are met" : CategoryWords(assessment.Category);

    /// <summary>The category with its condition, or null when none applies (then the coding's display says it all).</summary>
    public static string? ConditionalCategoryText(MmnAssessment assessment) => ConditionApplies(assessment) ? CategoryText(assessment) : null;

    private static bool ConditionApplies(MmnAssessment assessment) =>
        assessment.Basis == ClinicalBasis.ClinicalCriteriaAssumed
        && assessment.Category is MmnCategory.Definite or MmnCategory.Probable or MmnCategory.Possible;

    /// <summary>The narrative's heading: the category in full words with its condition.</summary>
    public static string Heading(MmnAssessment assessment) => CategoryText(assessment);

    private static string CategoryWords(MmnCategory category) => category switch
    {
        MmnCategory.CriteriaNotMet => "EFNS/PNS 2010 criteria for MMN not met",
        MmnCategory.InsufficientData => "Insufficient data for an MMN assessment",
        _ => CategoryDisplay(category),
    };

    private const string Disclaimer = "Machine-generated decision support; to be verified by a neurologist.";

    /// <summary>
    /// The plain-language summary (DiagnosticReport.conclusion): the category with its condition, what decided it,
    /// for insufficient data what would decide, what was assumed, the caveats.
    /// </summary>
    public static string Conclusion(MmnAssessment assessment)
    {
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
        parts.AddRange(Decisive(assessment));
        if (assessment.Category == MmnCategory.InsufficientData)
        {
            parts.AddRange(MissingItems(assessment));
        }

        if (assessment.Basis == ClinicalBasis.ClinicalCriteriaAssumed)
        {
            parts.Add($"Not provided, and assumed: {Assumed(assessment)}.");
        }

        if (assessment.Caveats.Count > 0)
        {
            parts.Add("Caveats (they do not change the category): " + string.Join("; ", assessment.Caveats.Select(c => c.Text)) + ".");
        }

        parts.Add(Disclaimer);
        return string.Join(" ", parts);
    }

    // The narrative's colours: an amber row and an orange bracket mark what decided; blue bars, the rest. Each
    // marking also says itself in words or in bold (colour-blind readers, EHRs that drop styles, printouts).
    private const string DecidedRowStyle = "background-color:#fde3bf;font-weight:bold";
    private const string ContextRowStyle = "color:#555555";
    private const string BoxStyle = "border:1px solid #b35c00;border-left:6px solid #b35c00;padding:4px 8px;margin:6px 0";
    private const string NoteStyle = "border-left:6px solid #8a6d00;background-color:#fff6d6;padding:4px 8px;margin:6px 0";
    private const string CaveatStyle = "color:#8a3b00";
    private const string BarStyle = "background-color:#3f6fb5";
    private const string BlockedBarStyle = "background-color:#d2691e";
    private const string Marker = "\u25B6";

    private static readonly (string Name, string Value)[] TableAttributes =
        [("border", "1"), ("cellpadding", "3"), ("style", "border-collapse:collapse;margin:4px 0 8px 0")];

    public static string Narrative(MmnAssessment assessment, AssembledEvidence evidence)
    {
        var x = new Xhtml();
        x.Element("p", "MMN assessment by the EFNS/PNS 2010 criteria", "margin:0;color:#444444");
        x.Element("h2", Heading(assessment), "margin:2px 0 6px 0");
        var summary = Decisive(assessment).ToList();
        if (summary.Count > 0)
        {
            x.Element("p", string.Join(" ", summary));
        }

        Basis(x, assessment);
        if (assessment.Category == MmnCategory.InsufficientData)
        {
            Missing(x, assessment);
            Deciding(x, assessment, evidence.Evidence);
        }
        else
        {
            Deciding(x, assessment, evidence.Evidence);
            Missing(x, assessment);
        }
        MotorStudies(x, assessment, evidence);
        Snaps(x, assessment);
        Checklist(x, assessment);

        if (evidence.NotUsed.Count > 0)
        {
            x.Element("h3", "Results not used");
            x.List(evidence.NotUsed.Select(n => $"{Describe(n.Observation)}: {n.Reason}"));
        }

        x.Element("p",
            $"Results used: {evidence.Used.Count}. FhirMmn classifier {ClassifierInfo.SoftwareVersion}, criteria {ClassifierInfo.CriteriaVersion} ({EfnsPns2010.Citation}). {Disclaimer}",
            "color:#555555;font-size:90%");
        return x.ToString();
    }

    /// <summary>
    /// The classifier's reasons as sentences that follow the headline: the category's own prefix left out (the headline
    /// says it), the assumed findings and the missing data left to their own place.
    /// </summary>
    private static IEnumerable<string> Decisive(MmnAssessment assessment)
    {
        string[] categories = ["Definite MMN: ", "Probable MMN: ", "Possible MMN: "];
        foreach (var reason in assessment.Reasons)
        {
            if (reason.StartsWith("Not provided, assumed favourable", StringComparison.Ordinal)
                || reason.StartsWith("Insufficient data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var prefix = categories.FirstOrDefault(p => reason.StartsWith(p, StringComparison.Ordinal));
            const string notMet = "Criteria not met: ";
            var text = prefix is not null ? Capitalise(reason[prefix.Length..])
                : !reason.StartsWith(notMet, StringComparison.Ordinal) ? reason
                : reason.AsSpan(notMet.Length).StartsWith("no combination", StringComparison.Ordinal) ? Capitalise(reason[notMet.Length..])
                : "Excluded by: " + reason[notMet.Length..];
            yield return People(text);
        }
    }

    private static string Assumed(MmnAssessment assessment) => string.Join("; ", assessment.AssumedFindings.Select(f => f.Describe()));

    private static void Basis(Xhtml x, MmnAssessment assessment)
    {
        if (assessment.Basis == ClinicalBasis.ClinicalCriteriaProvided)
        {
            x.Element("p", "Clinical criteria: provided (all six clinical findings were sent).");
            return;
        }

        x.Open("div", NoteStyle).Bold("Clinical criteria assumed. ")
            .Text($"Not provided, and assumed: {Assumed(assessment)}. The category holds only if a neurologist confirms them.")
            .Close("div");
    }

    /// <summary>The conduction blocks that decided (or, for insufficient data, that the missing data bears on), with their numbers.</summary>
    private static void Deciding(Xhtml x, MmnAssessment assessment, MmnEvidence evidence)
    {
        var blocks = assessment.DecidingSegments.Where(s => s.Status == SegmentStatus.Graded).ToList();
        if (blocks.Count == 0)
        {
            return;
        }

        x.Open("div", BoxStyle);
        x.Bold(assessment.Category == MmnCategory.InsufficientData
            ? $"{Marker} Conduction block found; the category waits on the data above"
            : $"{Marker} What decided the category");
        x.Open("ul", "margin:2px 0");
        foreach (var row in blocks)
        {
            var study = evidence.MotorStudies.First(s => s.Id == row.StudyId);
            x.Open("li").Bold($"{Capitalise($"{row.Side.Name()} {row.Nerve.Name()}")}, {RowName(row)}: {GradeText(row)}")
                .Text($": area {Transition(study, row, s => s.AreaMvMs)} mV\u00B7ms, {AreaChange(row.AreaReductionPercent)}; " +
                    $"duration {Transition(study, row, s => s.DurationMs)} ms, {DurationChange(row.DurationIncreasePercent)}.");
            Caveats(x, row.Caveats);
            x.Close("li");
        }

        x.Close("ul").Close("div");
    }

    /// <summary>The missing data, each said once, with the test that would decide it.</summary>
    private static void Missing(Xhtml x, MmnAssessment assessment)
    {
        if (assessment.MissingData.Count == 0)
        {
            return;
        }

        x.Element("h3", MissingHeading(assessment));
        x.List(MissingItems(assessment));
    }

    private static string MissingHeading(MmnAssessment assessment) =>
        assessment.Category == MmnCategory.InsufficientData ? "What would decide" : "Missing data (it does not change the category)";

    /// <summary>
    /// One sentence per gap with the test that would decide it; the supportive tests not done share one reason, so they
    /// are one sentence naming each test.
    /// </summary>
    private static IEnumerable<string> MissingItems(MmnAssessment assessment)
    {
        var supportive = assessment.MissingData.Where(m => m.Kind == MissingDataKind.SupportiveTestNotDone).ToList();
        var supportiveSaid = false;
        foreach (var m in assessment.MissingData)
        {
            if (m.Kind != MissingDataKind.SupportiveTestNotDone)
            {
                yield return m.Test == DecidingTest.CmapAreaAndDuration
                    ? $"{Capitalise(People(m.Finding))}. Would decide: these values from the same study."
                    : $"{Capitalise(People(m.Finding))}. Would decide: {People(m.WouldDecide)}.";
            }
            else if (!supportiveSaid)
            {
                supportiveSaid = true;
                var at = m.Finding.IndexOf(": ", StringComparison.Ordinal);
                var need = at < 0 ? m.Finding : m.Finding[(at + 2)..];
                yield return $"{Capitalise(need)}. Not done, and would decide: {string.Join("; ", supportive.Select(s => s.WouldDecide))}.";
            }
        }
    }

    private static void MotorStudies(Xhtml x, MmnAssessment assessment, AssembledEvidence assembled)
    {
        x.Element("h3", "Motor conduction studies");
        var studies = assembled.Evidence.MotorStudies
            .OrderBy(s => s.Nerve).ThenBy(s => s.Side).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        if (studies.Count == 0)
        {
            x.Element("p", "No motor conduction study.");
            return;
        }

        foreach (var study in studies)
        {
            var several = studies.Count(s => s.Nerve == study.Nerve && s.Side == study.Side) > 1;
            x.Element("h4", $"{Capitalise(study.Side.Name())} {study.Nerve.Name()} nerve" + (several ? $", study of {StudyDate(study, assembled)}" : string.Empty),
                "margin:10px 0 2px 0");
            var nerve = assessment.Nerves.FirstOrDefault(n => n.Nerve == study.Nerve && n.Side == study.Side && n.Deciding?.StudyId == study.Id);
            if (nerve is not null)
            {
                x.Element("p", $"{Capitalise(Lower(nerve.Grade))} conduction block, {RowName(nerve.Deciding!)}: " +
                    $"{(nerve.Counts ? "counts" : "does not count")}; {People(nerve.SensoryWhy)}.", "margin:2px 0");
            }

            Sites(x, study);
            if (nerve is not null)
            {
                AreaFigure(x, nerve, study);
            }

            Segments(x, assessment, study);
        }
    }

    private static readonly string[] SiteHeaders = ["Site", "Amplitude (mV)", "Area (mV\u00B7ms)", "Duration (ms)", "Onset latency (ms)"];

    /// <summary>The sites as the EMG machine printed them: amplitude, area, duration, and the onset latency when sent.</summary>
    private static void Sites(Xhtml x, MotorStudy study)
    {
        var sites = study.Sites.OrderBy(s => s.Site).ToList();
        var latency = sites.Any(s => s.OnsetLatencyMs is not null);
        x.Open("table", TableAttributes).Open("thead").Open("tr");
        foreach (var header in SiteHeaders.Take(latency ? SiteHeaders.Length : SiteHeaders.Length - 1))
        {
            x.Element("th", header);
        }

        x.Close("tr").Close("thead").Open("tbody");
        foreach (var site in sites)
        {
            x.Open("tr").Element("td", site.Site.Name());
            foreach (var value in new[] { site.AmplitudeMv, site.AreaMvMs, site.DurationMs }.Concat(latency ? [site.OnsetLatencyMs] : []))
            {
                x.Element("td", value is { } v ? Number(v) : "not sent", "text-align:right");
            }

            x.Close("tr");
        }

        x.Close("tbody").Close("table");
        var limits = sites.Select(s => s.AmplitudeLowerLimitMv).OfType<decimal>().Distinct().ToList();
        x.Element("p", limits.Count == 0
            ? "Lower limit of normal of the amplitude: not sent."
            : $"Lower limit of normal of the amplitude: {string.Join(", ", limits.Select(l => $"{Number(l)} mV"))}.", "margin:0 0 4px 0");
    }

    /// <summary>
    /// A bar of the CMAP area at each site of the study that holds the nerve's block, the block bracketed beside the
    /// bars: plain divs with inline widths (R4 narrative allows no SVG, script or external image), each bar labelled with
    /// its value, so that the figure reads without colour and, where an EHR drops styles, as a table of values.
    /// </summary>
    private static void AreaFigure(Xhtml x, NerveFinding nerve, MotorStudy study)
    {
        var row = nerve.Deciding!;
        var sites = study.Sites.OrderBy(s => s.Site).ToList();
        var largest = sites.Select(s => s.AreaMvMs ?? 0m).Max();
        var first = sites.FindIndex(s => s.Site == row.DistalSite);
        var last = sites.FindIndex(s => s.Site == row.ProximalSite);
        x.Open("table", ("style", "border-collapse:collapse;margin:2px 0 8px 0"));
        x.Element("caption", $"CMAP area at each site, {nerve.Name} nerve (bars to scale; the bracket marks the block)",
            "caption-side:top;text-align:left;font-weight:bold;padding:2px 0");
        x.Open("tbody");
        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            x.Open("tr").Element("td", site.Site.Name(), "padding:1px 8px 1px 0;white-space:nowrap");
            x.Open("td", "width:16em;padding:1px 0");
            if (site.AreaMvMs is { } area && largest > 0m)
            {
                var width = Math.Max(1m, Math.Round(area * 100m / largest, MidpointRounding.AwayFromZero));
                var colour = i >= last ? BlockedBarStyle : BarStyle;
                x.Open("div", "background-color:#e8edf5;width:16em")
                    .Open("div", $"{colour};width:{width.ToString("0", CultureInfo.InvariantCulture)}%").Text("\u00A0").Close("div")
                    .Close("div");
            }

            x.Close("td");
            x.Element("td", site.AreaMvMs is { } a ? $"{Number(a)} mV\u00B7ms" : "area not sent", "padding:1px 8px;white-space:nowrap");
            if (i == first)
            {
                x.Open("td", ("rowspan", (last - first + 1).ToString(CultureInfo.InvariantCulture)),
                        ("style", "border-left:4px solid #b35c00;padding:1px 8px;color:#7a3b00;font-weight:bold;vertical-align:middle"))
                    .Text($"{Marker} {Lower(row.Grade)} conduction block, {RowName(row)}: area {AreaChange(row.AreaReductionPercent)}" +
                        (nerve.Counts ? string.Empty : " (does not count)"))
                    .Close("td");
            }

            x.Close("tr");
        }

        x.Close("tbody").Close("table");
    }

    /// <summary>The segments and spans of one study, graded; the rows that decided stand out (marker, bold, amber).</summary>
    private static void Segments(Xhtml x, MmnAssessment assessment, MotorStudy study)
    {
        var rows = assessment.Segments.Where(s => s.StudyId == study.Id).ToList();
        if (rows.Count == 0)
        {
            x.Element("p", "No segment: a study needs at least two stimulation sites.");
            return;
        }

        x.Open("table", TableAttributes).Open("thead")
            .HeaderRow("Decided", "Segment or span", "Area (mV\u00B7ms)", "Area change", "Duration (ms)", "Duration change", "Grade", "Why")
            .Close("thead").Open("tbody");
        foreach (var row in rows)
        {
            var style = row.Decided ? DecidedRowStyle : row.Status is SegmentStatus.EntrapmentSite or SegmentStatus.NerveNotGraded ? ContextRowStyle : null;
            if (style is null)
            {
                x.Open("tr");
            }
            else
            {
                x.Open("tr", style);
            }

            x.Element("td", row.Decided ? Marker : string.Empty, "text-align:center")
                .Element("td", row.Kind == SegmentKind.Span ? $"{row.Name} (span)" : row.Name)
                .Element("td", Transition(study, row, s => s.AreaMvMs), "white-space:nowrap")
                .Element("td", AreaChange(row.AreaReductionPercent), "white-space:nowrap")
                .Element("td", Transition(study, row, s => s.DurationMs), "white-space:nowrap")
                .Element("td", DurationChange(row.DurationIncreasePercent), "white-space:nowrap")
                .Element("td", GradeText(row));
            // A segment not gradeable is a missing-data finding, said once, in its own section (the row's cells show what was not sent).
            x.Open("td").Text(row is { Status: SegmentStatus.NotGradeable, Kind: SegmentKind.Segment }
                ? $"not gradeable: see \"{MissingHeading(assessment)}\" above"
                : People(row.Why));
            Caveats(x, row.Caveats);
            x.Close("td").Close("tr");
        }

        x.Close("tbody").Close("table");
        if (rows.Any(r => r.Decided))
        {
            x.Element("p", assessment.Category == MmnCategory.InsufficientData
                ? $"{Marker} and bold: the rows that leave the category undecided; the others are context."
                : $"{Marker} and bold: the rows that decided the category; the others are context.", "margin:0 0 4px 0;font-size:90%");
        }
    }

    /// <summary>Every SNAP, distal or segmental (with its site), against its lower limit, with its caveats.</summary>
    private static void Snaps(Xhtml x, MmnAssessment assessment)
    {
        x.Element("h3", "Sensory conduction (SNAP)");
        if (assessment.Snaps.Count == 0)
        {
            x.Element("p", "No SNAP.");
            return;
        }

        x.Open("table", TableAttributes).Open("thead")
            .HeaderRow("Nerve", "Stimulated", "Amplitude (\u00B5V)", "Lower limit (\u00B5V)", "Result")
            .Close("thead").Open("tbody");
        foreach (var snap in assessment.Snaps)
        {
            x.Open("tr")
                .Element("td", $"{Capitalise(snap.Side.Name())} {snap.Nerve.Name()}")
                .Element("td", snap.Segmental ? $"segmental, at {snap.Site!.Value.Name()}" : snap.Site is { } site ? $"distal ({site.Name()})" : "distal")
                .Element("td", snap.AmplitudeUv is { } amplitude ? Number(amplitude) : "not sent", "text-align:right")
                .Element("td", snap.LowerLimitUv is { } limit ? Number(limit) : "not sent", "text-align:right");
            x.Open("td");
            switch (snap.Status)
            {
                case SnapStatus.Low:
                    x.Bold("low");
                    break;
                case SnapStatus.Normal:
                    x.Text("normal");
                    break;
                default:
                    x.Text("incomplete: value or lower limit not sent");
                    break;
            }

            Caveats(x, snap.Caveats);
            x.Close("td").Close("tr");
        }

        x.Close("tbody").Close("table");
    }

    private static void Checklist(Xhtml x, MmnAssessment assessment)
    {
        x.Element("h3", "Criteria checklist");
        x.Open("table", TableAttributes).Open("thead").HeaderRow("Criterion", "Finding", "Status").Close("thead").Open("tbody");
        foreach (var group in assessment.Criteria.GroupBy(c => c.Group))
        {
            x.Open("tr").Open("th", ("colspan", "3"), ("style", "text-align:left;background-color:#eef1f5")).Text(Group(group.Key)).Close("th").Close("tr");
            foreach (var c in group)
            {
                x.Open("tr").Element("td", c.Title).Open("td").Text(Finding(c));
                Caveats(x, c.Caveats);
                x.Close("td");
                if (c.Status == CriterionStatus.NotMet)
                {
                    x.Open("td", "white-space:nowrap").Bold(Status(c)).Close("td");
                }
                else
                {
                    x.Element("td", Status(c), "white-space:nowrap");
                }

                x.Close("tr");
            }
        }

        x.Close("tbody").Close("table");
    }

    private static void Caveats(Xhtml x, IReadOnlyList<Caveat> caveats)
    {
        foreach (var caveat in caveats)
        {
            x.LineBreak().Open("span", CaveatStyle).Bold("Caveat: ").Text(caveat.Text).Close("span");
        }
    }

    /// <summary>A criterion's finding in people's words: what was found, not whether a negated criterion holds.</summary>
    private static string Finding(CriterionResult c)
    {
        if (c.Assumed)
        {
            var reported = c.Detail.StartsWith("reported as", StringComparison.Ordinal) ? c.Detail[..c.Detail.IndexOf("; assumed", StringComparison.Ordinal)] : "not provided";
            return $"{reported}; assumed: {AssumedFinding(c.Id).Describe()}";
        }

        return (c.Id, c.Status) switch
        {
            (CriterionId.WeaknessInTwoNerves, CriterionStatus.Met or CriterionStatus.NotMet) => $"weakness in {c.Detail}",
            (CriterionId.WeaknessOverOneMonth, CriterionStatus.Met or CriterionStatus.NotMet) => $"weakness for {c.Detail}",
            (CriterionId.NoObjectiveSensoryLoss, CriterionStatus.Met) => "no objective sensory loss",
            (CriterionId.NoObjectiveSensoryLoss, CriterionStatus.NotMet) => "objective sensory loss",
            (CriterionId.NoUpperMotorNeuronSigns, CriterionStatus.Met) => "no upper motor neuron signs",
            (CriterionId.NoUpperMotorNeuronSigns, CriterionStatus.NotMet) => "upper motor neuron signs",
            (CriterionId.NoMarkedBulbarInvolvement, CriterionStatus.Met) => "no marked bulbar involvement",
            (CriterionId.NoMarkedBulbarInvolvement, CriterionStatus.NotMet) => "marked bulbar involvement",
            (CriterionId.NoDiffuseSymmetricWeaknessEarly, CriterionStatus.Met) => "no diffuse symmetric weakness in the first weeks",
            (CriterionId.NoDiffuseSymmetricWeaknessEarly, CriterionStatus.NotMet) => "diffuse symmetric weakness in the first weeks",
            (CriterionId.MriPlexusHyperintensity, CriterionStatus.Met) => "T2 hyperintensity with swelling of the brachial plexus",
            (CriterionId.MriPlexusHyperintensity, CriterionStatus.NotMet) => "no T2 hyperintensity or swelling of the brachial plexus",
            (CriterionId.IvigResponse, CriterionStatus.Met) => "objective improvement after IVIg",
            (CriterionId.IvigResponse, CriterionStatus.NotMet) => "no objective improvement after IVIg",
            _ => People(c.Detail),
        };
    }

    private static ClinicalFinding AssumedFinding(CriterionId id) => id switch
    {
        CriterionId.WeaknessInTwoNerves => ClinicalFinding.WeaknessNerveCount,
        CriterionId.WeaknessOverOneMonth => ClinicalFinding.WeaknessDuration,
        CriterionId.NoObjectiveSensoryLoss => ClinicalFinding.ObjectiveSensoryLoss,
        CriterionId.NoUpperMotorNeuronSigns => ClinicalFinding.UpperMotorNeuronSigns,
        CriterionId.NoMarkedBulbarInvolvement => ClinicalFinding.MarkedBulbarInvolvement,
        CriterionId.NoDiffuseSymmetricWeaknessEarly => ClinicalFinding.DiffuseSymmetricWeaknessEarly,
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static string Status(CriterionResult c) => c.Status switch
    {
        CriterionStatus.Met => "met",
        CriterionStatus.NotMet => "not met",
        CriterionStatus.Equivocal => "equivocal",
        _ => c.Assumed ? "not provided, assumed met" : "not provided",
    };

    private static string Group(CriterionGroup group) => group switch
    {
        CriterionGroup.CoreClinical => "Core clinical criteria",
        CriterionGroup.Exclusion => "Exclusions",
        CriterionGroup.Electrophysiological => "Electrophysiological criteria",
        _ => "Supportive criteria",
    };

    private static string GradeText(SegmentFinding s) => s.Status switch
    {
        SegmentStatus.Graded => s.Grade switch
        {
            BlockGrade.Definite => "definite conduction block",
            BlockGrade.Probable => "probable conduction block",
            _ => "no block",
        },
        SegmentStatus.NotGradeable => "not gradeable (not sent)",
        SegmentStatus.NotAssessable => "not assessable (distal CMAP too low)",
        SegmentStatus.EntrapmentSite => "not graded (entrapment site)",
        _ => "not graded (tibial)",
    };

    /// <summary>An area that rose prints as "increased 10.0 %", never "reduced -10.0 %" (criteria revision 2 item 11, docs/criteria.md).</summary>
    private static string AreaChange(decimal? reduction) => reduction switch
    {
        null => "\u2013",
        > 0m => $"reduced {Percent.Format(reduction.Value)}",
        < 0m => $"increased {Percent.Format(-reduction.Value)}",
        _ => "unchanged",
    };

    private static string DurationChange(decimal? increase) => increase switch
    {
        null => "\u2013",
        > 0m => $"increased {Percent.Format(increase.Value)}",
        < 0m => $"decreased {Percent.Format(-increase.Value)}",
        _ => "unchanged",
    };

    /// <summary>A value at the row's distal site and at its proximal site, as sent ("20.0 → 8.98").</summary>
    private static string Transition(MotorStudy study, SegmentFinding row, Func<CmapSite, decimal?> value)
    {
        string At(StimulationSite site) => study.Sites.FirstOrDefault(s => s.Site == site) is { } found && value(found) is { } v ? Number(v) : "not sent";
        return $"{At(row.DistalSite)} \u2192 {At(row.ProximalSite)}";
    }

    /// <summary>
    /// A value as the EMG machine printed it: the decimals it was sent with, except trailing zeros past the first that a
    /// unit conversion adds (10200 uV is 10.2 mV, not 10.200).
    /// </summary>
    private static string Number(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (!text.Contains('.', StringComparison.Ordinal))
        {
            return text;
        }

        var trimmed = text.TrimEnd('0');
        return trimmed.EndsWith('.') ? trimmed + "0" : trimmed;
    }

    private static string StudyDate(MotorStudy study, AssembledEvidence assembled)
    {
        var sources = study.Sites.Select(s => s.SourceId).ToHashSet(StringComparer.Ordinal);
        var effective = assembled.Used.Where(o => sources.Contains(o.Identity.Key)).Select(o => o.EffectiveText).Order(StringComparer.Ordinal).FirstOrDefault() ?? string.Empty;
        return effective.Length >= 10 ? effective[..10] : effective;
    }

    private static string RowName(SegmentFinding row) => row.Kind == SegmentKind.Span ? $"{row.Name} (span)" : row.Name;

    private static string Lower(BlockGrade grade) => grade.ToString().ToLowerInvariant();

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The classifier's comparisons as people write them.</summary>
    private static string People(string text) => text.Replace(">=", "\u2265", StringComparison.Ordinal).Replace("<=", "\u2264", StringComparison.Ordinal);

    /// <summary>Names a result by what it is, never by its values.</summary>
    private static string Describe(FeedObservation o)
    {
        var what = o.Reading switch
        {
            CmapReading c => $"CMAP, {c.Side.Name()} {c.Nerve.Name()} at {c.Site.Name()}",
            SnapReading { Site: { } site } s when !s.Nerve.IsDistalSnapSite(site) => $"SNAP, {s.Side.Name()} {s.Nerve.Name()} stimulated at {site.Name()}",
            SnapReading s => $"SNAP, {s.Side.Name()} {s.Nerve.Name()}",
            AntiGm1Reading => "IgM anti-GM1 antibodies",
            ClinicalReading c => $"clinical finding: {Words(c.Code)}",
            _ => "result",
        };
        var date = o.EffectiveText.Length >= 10 ? o.EffectiveText[..10] : o.EffectiveText;
        return string.Create(CultureInfo.InvariantCulture, $"{what} ({date})");
    }

    private static string Words(ClinicalCode code) => code switch
    {
        ClinicalCode.WeaknessNerveCount => "number of nerves with weakness",
        ClinicalCode.WeaknessDuration => "duration of the weakness",
        ClinicalCode.ObjectiveSensoryLoss => "objective sensory loss",
        ClinicalCode.UpperMotorNeuronSigns => "upper motor neuron signs",
        ClinicalCode.MarkedBulbarInvolvement => "marked bulbar involvement",
        ClinicalCode.DiffuseSymmetricWeaknessEarly => "diffuse symmetric weakness in the first weeks",
        ClinicalCode.IvigResponse => "response to IVIg",
        ClinicalCode.MriPlexusT2Hyperintensity => "brachial plexus MRI",
        _ => "CSF protein",
    };
}
