using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FhirMmn.Domain;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Testing;
using Hl7.Fhir.Model;

namespace FhirMmn.Fhir.Tests;

/// <summary>
/// The report a neurologist reads (issue 11 item 3, docs/report.md): the heading with its condition, the sites as the EMG
/// machine printed them, the rows that decided marked and only those, a bar figure per blocked nerve, the SNAP table, the
/// checklist in people's words, missing data said once, and nothing of the hospital's text unescaped.
/// </summary>
public sealed partial class ReportNarrativeTests
{
    private static readonly XNamespace H = "http://www.w3.org/1999/xhtml";

    public static TheoryData<string> Examples() => new(Feeds.AllExamples());

    private static (MmnAssessment Assessment, DiagnosticReport Report) Assess(string example) => Assess(Feeds.Load(example));

    private static (MmnAssessment Assessment, DiagnosticReport Report) Assess(JsonNode bundle)
    {
        var (assessment, writeBack) = Assessor.AssessOffline(bundle.Read().Accepted(), "default", null);
        return (assessment, writeBack.Report);
    }

    private static XElement Div(DiagnosticReport report) => XElement.Parse(report.Text!.Div!);

    private static List<XElement> Tables(XElement div, string firstHeader) =>
        div.Descendants(H + "table").Where(t => t.Descendants(H + "th").FirstOrDefault()?.Value == firstHeader).ToList();

    private static List<XElement> Figures(XElement div) =>
        div.Descendants(H + "table").Where(t => t.Element(H + "caption")?.Value.StartsWith("CMAP area at each site", StringComparison.Ordinal) == true).ToList();

    private static List<XElement> Rows(XElement table) => table.Element(H + "tbody")!.Elements(H + "tr").ToList();

    private static List<string> Cells(XElement row) => row.Elements(H + "td").Select(td => td.Value).ToList();

    /// <summary>The words a reader sees: the div's text, with cells and blocks apart.</summary>
    private static string Words(XElement div) => string.Join(" ", div.DescendantNodes().OfType<XText>().Select(t => t.Value));

    private static JsonObject Without(JsonObject bundle, string clinicalCode)
    {
        var entries = bundle["entry"]!.AsArray();
        foreach (var entry in entries.Where(e => e!["resource"]!["code"]?["coding"]?[0]?["code"]?.GetValue<string>() == clinicalCode).ToList())
        {
            entries.Remove(entry);
        }

        return bundle;
    }

    [Theory]
    [InlineData(Feeds.Definite, "Definite MMN")]
    [InlineData(Feeds.NoClinical, "Definite MMN, if the clinical criteria are met")]
    [InlineData(Feeds.AssumedExclusions, "Definite MMN, if the clinical criteria are met")]
    [InlineData(Feeds.Probable, "Probable MMN")]
    [InlineData(Feeds.Possible, "Possible MMN")]
    [InlineData(Feeds.InsufficientNoArea, "Insufficient data for an MMN assessment")]
    [InlineData(Feeds.NotMetUmn, "EFNS/PNS 2010 criteria for MMN not met")]
    public void The_heading_states_the_category_with_its_condition(string example, string heading)
    {
        var div = Div(Assess(example).Report);

        Assert.Equal(heading, Assert.Single(div.Descendants(H + "h2")).Value);
    }

    [Fact]
    public void A_possible_result_on_assumed_criteria_is_headed_with_its_condition_and_an_insufficient_one_without()
    {
        var possible = Div(Assess(Without(Feeds.Load(Feeds.Possible), "upper-motor-neuron-signs")).Report);
        var insufficient = Assess(Without(Feeds.Load(Feeds.InsufficientNoArea), "upper-motor-neuron-signs"));

        Assert.Equal("Possible MMN, if the clinical criteria are met", possible.Descendants(H + "h2").Single().Value);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, insufficient.Assessment.Basis);
        Assert.Equal("Insufficient data for an MMN assessment", Div(insufficient.Report).Descendants(H + "h2").Single().Value);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_rows_that_decided_are_marked_and_bold_and_only_those(string example)
    {
        var (assessment, report) = Assess(example);

        var rows = Tables(Div(report), "Decided").SelectMany(Rows).ToList();

        Assert.Equal(assessment.Segments.Count, rows.Count);
        var marked = rows.Where(r => Cells(r)[0] == "\u25B6").ToList();
        Assert.Equal(
            assessment.Segments.Where(s => s.Decided).Select(s => s.Kind == SegmentKind.Span ? $"{s.Name} (span)" : s.Name),
            marked.Select(r => Cells(r)[1]));
        Assert.All(marked, r => Assert.Contains("font-weight:bold", r.Attribute("style")!.Value, StringComparison.Ordinal));
        Assert.All(rows.Except(marked), r =>
        {
            Assert.Equal(string.Empty, Cells(r)[0]);
            Assert.DoesNotContain("font-weight:bold", r.Attribute("style")?.Value ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_gradual_loss_marks_only_the_span_that_decided_and_puts_it_at_the_top_with_its_numbers()
    {
        var div = Div(Assess(Feeds.GradualSpan).Report);

        var marked = Tables(div, "Decided").SelectMany(Rows).Where(r => Cells(r)[0] == "\u25B6").ToList();
        Assert.Equal(["\u25B6", "wrist to Erb's point (span)", "20.0 \u2192 8.98", "reduced 55.1 %", "5.0 \u2192 5.6", "increased 12.0 %", "definite conduction block"],
            Cells(Assert.Single(marked))[..7]);
        var box = div.Elements(H + "div").First(d => d.Value.StartsWith("\u25B6 What decided the category", StringComparison.Ordinal));
        Assert.Contains("Left median, wrist to Erb's point (span): definite conduction block: area 20.0 \u2192 8.98 mV\u00B7ms, reduced 55.1 %; duration 5.0 \u2192 5.6 ms, increased 12.0 %",
            box.Value, StringComparison.Ordinal);
        Assert.Contains("Caveat: the block rests on stimulation at Erb's point", box.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sites_are_printed_as_sent_with_their_units_and_no_latency_column_when_none_was_sent()
    {
        var div = Div(Assess(Feeds.GradualSpan).Report);

        var median = Tables(div, "Site")[0];
        Assert.Equal(["Site", "Amplitude (mV)", "Area (mV\u00B7ms)", "Duration (ms)"], median.Descendants(H + "th").Select(t => t.Value));
        Assert.Equal(
            [["wrist", "8.0", "20.0", "5.0"], ["elbow", "6.0", "15.0", "5.2"], ["axilla", "4.4", "10.95", "5.4"], ["Erb's point", "3.6", "8.98", "5.6"]],
            Rows(median).Select(Cells));
        Assert.Contains("Lower limit of normal of the amplitude: 4.0 mV.", Words(div), StringComparison.Ordinal);
    }

    [Fact]
    public void The_onset_latency_is_shown_when_sent_in_milliseconds_from_any_unit_the_contract_takes()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["component"]!.AsArray().Add(new JsonObject
        {
            ["code"] = Feeds.Concept(Contract.Ncs, ContractCodes.OnsetLatencyComponent),
            ["valueQuantity"] = Feeds.Quantity(2.9m, "ms"),
        });
        bundle.Entry(2)["component"]!.AsArray().Add(new JsonObject
        {
            ["code"] = Feeds.Concept(Contract.Ncs, ContractCodes.OnsetLatencyComponent),
            ["valueQuantity"] = Feeds.Quantity(0.0068m, "s"),
        });

        var div = Div(Assess(bundle).Report);

        var ulnar = Tables(div, "Site")[1];
        Assert.Equal("Onset latency (ms)", ulnar.Descendants(H + "th").Last().Value);
        Assert.Equal([["wrist", "10.2", "26.0", "5.9", "2.9"], ["below elbow", "3.1", "9.8", "6.4", "6.8"], ["above elbow", "3.0", "9.5", "6.5", "not sent"]],
            Rows(ulnar).Select(Cells));
        Assert.DoesNotContain("Onset latency", Tables(div, "Site")[0].Value, StringComparison.Ordinal);
    }

    /// <summary>criteria revision 2 item 11 (docs/criteria.md), in the narrative.</summary>
    [Fact]
    public void An_area_that_rose_prints_as_increased_never_as_a_negative_reduction()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(5)["component"]![2]!["valueQuantity"] = Feeds.Quantity(25.85m, "mV.ms");
        bundle.Entry(5)["component"]![3]!["valueQuantity"] = Feeds.Quantity(5.0m, "ms");

        var report = Assess(bundle).Report;

        var median = Rows(Tables(Div(report), "Decided")[0]).Single();
        Assert.Equal(["23.5 \u2192 25.85", "increased 10.0 %", "5.3 \u2192 5.0", "decreased 5.7 %"], Cells(median)[2..6]);
        Assert.DoesNotContain("reduced -", report.Text!.Div, StringComparison.Ordinal);
        Assert.DoesNotContain("increased -", report.Text.Div, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Each_nerve_with_a_block_has_a_bar_figure_with_the_block_bracketed_and_each_bar_labelled(string example)
    {
        var (assessment, report) = Assess(example);
        var evidence = EvidenceAssembler.Assemble(Feeds.Load(example).Read().Accepted().Observations).Evidence;

        var figures = Figures(Div(report));

        var blocked = assessment.Nerves.Where(n => n.Grade != BlockGrade.None).ToList();
        Assert.Equal(blocked.Count, figures.Count);
        foreach (var (nerve, figure) in blocked.Zip(figures))
        {
            Assert.Contains($"{nerve.Name} nerve", figure.Element(H + "caption")!.Value, StringComparison.Ordinal);
            var sites = evidence.MotorStudies.Single(s => s.Id == nerve.Deciding!.StudyId).Sites.OrderBy(s => s.Site).ToList();
            var rows = Rows(figure);
            Assert.Equal(sites.Select(s => s.Site.Name()), rows.Select(r => Cells(r)[0]));
            Assert.Equal(sites.Select(s => $"{s.AreaMvMs!.Value.ToString(CultureInfo.InvariantCulture)} mV\u00B7ms"), rows.Select(r => Cells(r)[2]));
            var largest = sites.Max(s => s.AreaMvMs!.Value);
            Assert.Equal(
                sites.Select(s => $"width:{Math.Round(s.AreaMvMs!.Value * 100m / largest, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)}%"),
                rows.Select(r => WidthOf(r.Descendants(H + "div").Last())));
            var bracket = Assert.Single(figure.Descendants(H + "td"), td => td.Attribute("rowspan") is not null);
            var from = sites.FindIndex(s => s.Site == nerve.Deciding!.DistalSite);
            var to = sites.FindIndex(s => s.Site == nerve.Deciding!.ProximalSite);
            Assert.Equal((to - from + 1).ToString(CultureInfo.InvariantCulture), bracket.Attribute("rowspan")!.Value);
            Assert.Same(bracket.Parent, rows[from]);
            Assert.Contains($"{nerve.Grade.ToString().ToLowerInvariant()} conduction block, {nerve.Deciding!.Name}", bracket.Value, StringComparison.Ordinal);
            Assert.Contains($"area reduced {Percent.Format(nerve.Deciding.AreaReductionPercent!.Value)}", bracket.Value, StringComparison.Ordinal);
            Assert.Equal(!nerve.Counts, bracket.Value.EndsWith("(does not count)", StringComparison.Ordinal));
        }
    }

    private static string WidthOf(XElement bar) =>
        WidthPattern().Match(bar.Attribute("style")!.Value).Value;

    [GeneratedRegex(@"width:\d+%")]
    private static partial Regex WidthPattern();

    [Fact]
    public void The_bars_proximal_to_the_block_are_told_apart_by_colour_and_by_the_bracket_words()
    {
        var figure = Figures(Div(Assess(Feeds.Definite).Report)).Single();

        var bars = Rows(figure).Select(r => r.Descendants(H + "div").Last().Attribute("style")!.Value).ToList();

        Assert.StartsWith("background-color:#3f6fb5", bars[0], StringComparison.Ordinal);
        Assert.All(bars.Skip(1), b => Assert.StartsWith("background-color:#d2691e", b, StringComparison.Ordinal));
        Assert.Equal("\u25B6 definite conduction block, wrist to below elbow: area reduced 62.3 %",
            figure.Descendants(H + "td").Single(td => td.Attribute("rowspan") is not null).Value);
    }

    [Fact]
    public void A_nerve_without_a_block_has_no_figure()
    {
        Assert.Empty(Figures(Div(Assess(Feeds.NotMetUmn).Report)));
        Assert.Single(Figures(Div(Assess(Feeds.Definite).Report)));
    }

    [Fact]
    public void The_snap_table_shows_each_snap_distal_or_segmental_with_its_site_value_limit_and_result()
    {
        var div = Div(Assess(Feeds.SegmentalSnap).Report);

        var snaps = Tables(div, "Nerve").Single();

        Assert.Equal(["Nerve", "Stimulated", "Amplitude (\u00B5V)", "Lower limit (\u00B5V)", "Result"], snaps.Descendants(H + "th").Select(t => t.Value));
        Assert.Equal(
            [
                ["Right median", "distal", "9", "15", "low"],
                ["Right median", "segmental, at elbow", "17", "10", "normal"],
                ["Right ulnar", "distal", "17", "10", "normal"],
                ["Right sural", "distal", "12", "6", "normal"],
            ],
            Rows(snaps).Select(Cells));
        Assert.Equal("b", Rows(snaps)[0].Elements(H + "td").Last().Elements().Single().Name.LocalName);
    }

    [Fact]
    public void A_low_leg_snap_carries_its_caveat_beside_it()
    {
        var snaps = Tables(Div(Assess(Feeds.NotMetSensory).Report), "Nerve").Single();

        var sural = Rows(snaps).Single(r => Cells(r)[0] == "Right sural");

        Assert.StartsWith("lowCaveat: a low sural SNAP is sensory involvement", Cells(sural)[4], StringComparison.Ordinal);
    }

    [Fact]
    public void A_csf_protein_of_one_gram_or_more_carries_its_caveat_beside_it_in_the_checklist()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        var csf = Feeds.Clinical("csf-high", "csf-protein", "valueQuantity", Feeds.Quantity(1.3m, "g/L"), date: "2026-10-14");
        csf["subject"] = bundle.Entry(1)["subject"]!.DeepClone();
        bundle["entry"]!.AsArray().Add(new JsonObject { ["fullUrl"] = "https://ehr.example.org/fhir/Observation/csf-high", ["resource"] = csf });

        var checklist = Tables(Div(Assess(bundle).Report), "Criterion").Single();

        var row = Rows(checklist).Single(r => Cells(r).FirstOrDefault() == "Increased CSF protein (below 1 g/L)");
        Assert.Equal("1.3 g/L: 1 g/L or moreCaveat: CSF protein of 1 g/L or more points to CIDP rather than MMN: consider the CIDP work-up", Cells(row)[1]);
        Assert.Equal("not met", Cells(row)[2]);
    }

    [Fact]
    public void The_checklist_says_each_finding_in_peoples_words_grouped_by_kind()
    {
        var checklist = Tables(Div(Assess(Feeds.NotMetUmn).Report), "Criterion").Single();
        var rows = Rows(checklist);

        Assert.Equal(["Core clinical criteria", "Exclusions", "Electrophysiological criteria", "Supportive criteria"],
            rows.Where(r => r.Element(H + "th") is not null).Select(r => r.Value));
        var findings = rows.Where(r => r.Element(H + "th") is null).ToDictionary(r => Cells(r)[0], r => (Finding: Cells(r)[1], Status: Cells(r)[2]));
        Assert.Equal(("weakness in 2 nerves", "met"), findings["Weakness in the motor distribution of at least two nerves"]);
        Assert.Equal(("weakness for 22 months", "met"), findings["Weakness for more than one month"]);
        Assert.Equal(("upper motor neuron signs", "not met"), findings["No upper motor neuron signs"]);
        Assert.Equal(("no marked bulbar involvement", "met"), findings["No marked bulbar involvement"]);
        Assert.Equal(("not raised (12 against an upper limit of 50)", "not met"), findings["Raised IgM anti-ganglioside GM1 antibodies"]);
        Assert.DoesNotContain(findings.Values, f => f.Finding is "present" or "absent");
    }

    [Fact]
    public void An_assumed_finding_says_what_was_assumed_in_peoples_words()
    {
        var checklist = Tables(Div(Assess(Feeds.NoClinical).Report), "Criterion").Single();

        var rows = Rows(checklist).Where(r => r.Element(H + "th") is null).Select(Cells).ToList();

        Assert.Contains(["No upper motor neuron signs", "not provided; assumed: no upper motor neuron signs", "not provided, assumed met"], rows);
        Assert.Contains(["Weakness in the motor distribution of at least two nerves", "not provided; assumed: weakness in at least two nerves", "not provided, assumed met"], rows);
    }

    [Fact]
    public void Missing_data_is_said_once_with_the_test_that_would_decide_it()
    {
        var (assessment, report) = Assess(Feeds.InsufficientNoArea);
        var words = Words(Div(report));

        Assert.Equal(2, assessment.MissingData.Count);
        foreach (var missing in assessment.MissingData)
        {
            // The list capitalises the finding's first letter.
            Assert.Equal(1, Count(words, missing.Finding[1..]));
        }

        Assert.Equal(2, Count(words, "Would decide: these values from the same study."));
        Assert.Single(Div(report).Elements(H + "h3"), h => h.Value == "What would decide");
    }

    [Fact]
    public void The_supportive_tests_not_done_are_one_item_naming_each_test_in_narrative_and_conclusion()
    {
        var report = Assess(Feeds.SupportiveNotDone).Report;
        const string Need = "The probable block in the right ulnar nerve alone needs 2 supportive criteria for probable MMN, 0 met. Not done, and would decide: IgM anti-GM1 antibodies; CSF protein; brachial plexus MRI.";

        var div = Div(report);

        var decide = div.Elements(H + "h3").Single(h => h.Value == "What would decide").ElementsAfterSelf(H + "ul").First();
        Assert.Equal(Need, Assert.Single(decide.Elements(H + "li")).Value);
        Assert.Equal(1, Count(Words(div), "needs 2 supportive criteria"));
        Assert.Equal(1, Count(report.Conclusion!, Need));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void No_code_of_a_code_system_and_no_ucum_unit_code_reaches_the_prose(string example)
    {
        var report = Assess(example).Report;
        var prose = Words(Div(report)) + " " + report.Conclusion;

        foreach (var code in HyphenatedCodes.Value)
        {
            Assert.DoesNotMatch($@"(?<![\w-]){Regex.Escape(code)}(?![\w-])", prose);
        }

        Assert.DoesNotMatch(@"\buV\b|mV\.ms", prose);
        Assert.DoesNotContain("clinical-criteria-assumed", prose, StringComparison.Ordinal);
        Assert.DoesNotContain("nerve(s)", prose, StringComparison.Ordinal);
    }

    /// <summary>Every code of the FhirMmn code systems that is not a plain word (those with a hyphen: "weakness-duration", "erb-point").</summary>
    private static readonly Lazy<List<string>> HyphenatedCodes = new(() => Directory
        .GetFiles(Repository.PathOf("profiles", "generated"), "CodeSystem-*.json")
        .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!["concept"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()))
        .Where(c => c.Contains('-', StringComparison.Ordinal))
        .ToList());

    [Fact]
    public void The_code_list_the_prose_is_checked_against_holds_the_codes_the_old_report_printed()
    {
        Assert.Contains("weakness-duration", HyphenatedCodes.Value);
        Assert.Contains("clinical-criteria-assumed", HyphenatedCodes.Value);
        Assert.Contains("below-elbow", HyphenatedCodes.Value);
    }

    [Theory]
    [InlineData(Feeds.Definite, "Definite multifocal motor neuropathy by the EFNS/PNS 2010 criteria. Weakness in at least two nerves (2 reported), definite conduction block in the left ulnar nerve")]
    [InlineData(Feeds.NoClinical, "Definite multifocal motor neuropathy by the EFNS/PNS 2010 criteria, if the clinical criteria are met. Weakness in at least two nerves (assumed)")]
    [InlineData(Feeds.NotMetUmn, "The EFNS/PNS 2010 criteria for multifocal motor neuropathy are not met. Excluded by: upper motor neuron signs.")]
    [InlineData(Feeds.SnapMissing, "Insufficient data to assess multifocal motor neuropathy by the EFNS/PNS 2010 criteria. The definite block in the left ulnar nerve (wrist to below elbow) does not count: no left ulnar SNAP. Left ulnar: conduction block, but no left ulnar SNAP: sensory conduction in the blocked segment unknown. Would decide: the left ulnar SNAP amplitude with its lower limit of normal.")]
    public void The_conclusion_is_plain_words_the_category_once_then_what_decided(string example, string start)
    {
        var conclusion = Assess(example).Report.Conclusion;

        Assert.StartsWith(start, conclusion, StringComparison.Ordinal);
        Assert.EndsWith("Machine-generated decision support; to be verified by a neurologist.", conclusion, StringComparison.Ordinal);
        foreach (var prefix in new[] { "Definite MMN:", "Probable MMN:", "Possible MMN:", "Criteria not met:", "Insufficient data:" })
        {
            Assert.DoesNotContain(prefix, conclusion, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_assumed_basis_names_the_assumed_findings_once_in_the_conclusion_and_once_in_the_narrative()
    {
        var report = Assess(Feeds.AssumedExclusions).Report;
        const string Assumed = "no objective sensory loss; no upper motor neuron signs; no marked bulbar involvement; no diffuse symmetric weakness in the first weeks";

        Assert.Equal(1, Count(report.Conclusion!, Assumed));
        var note = Div(report).Elements(H + "div").Single(d => d.Value.StartsWith("Clinical criteria assumed.", StringComparison.Ordinal));
        Assert.Contains(Assumed, note.Value, StringComparison.Ordinal);
        Assert.Equal(1, Count(Words(Div(report)), Assumed));
    }

    [Fact]
    public void Hospital_text_in_an_observation_never_reaches_the_narrative_unescaped()
    {
        const string Planted = "<script>alert('x')</script>&<b onclick=\"x\">";
        var bundle = Feeds.Load(Feeds.Definite);
        var cmap = bundle.Entry(1);
        cmap["code"]!["text"] = Planted;
        cmap["code"]!["coding"]![0]!["display"] = Planted;
        cmap["bodySite"]!["text"] = Planted;
        cmap["component"]![0]!["valueCodeableConcept"]!["text"] = Planted;
        cmap["note"] = new JsonArray(new JsonObject { ["text"] = Planted });
        bundle.Entry(7)["code"]!["text"] = Planted;
        bundle.Entry(7)["referenceRange"]![0]!["text"] = Planted;

        var report = Assess(bundle).Report;

        Assert.DoesNotContain("<script", report.Text!.Div, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", report.Text.Div, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", report.Conclusion, StringComparison.OrdinalIgnoreCase);
        Assert.True(XHtml.IsValidNarrativeXhtml(report.Text.Div!, out var error, out _), error);
    }

    [Fact]
    public void Noncharacters_in_hospital_text_pass_the_reader_and_never_reach_the_narrative()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["code"]!["text"] = "CMAP \uFFFE\uFFFF\u0085\u007F";
        bundle.Entry(1)["note"] = new JsonArray(new JsonObject { ["text"] = "\uFFFF" });

        var report = Assess(bundle).Report;

        Assert.DoesNotMatch("[\uFFFE\uFFFF\u007F-\u009F\u0000-\u0008\u000B\u000C\u000E-\u001F]", report.Text!.Div);
    }

    [Fact]
    public void The_writer_leaves_out_what_xml_cannot_carry_and_keeps_every_other_character()
    {
        var div = new Xhtml().Element("p", "a\u0001b\u0008c\rd\u000Be\uFFFEf\uFFFFg\uD800h\uDC00i\u0085j\u007Fk\tl\nm\U0001F600n\u00B5\u00A0o").ToString();

        Assert.Equal("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>abcdefghijk\tl\nm\U0001F600n\u00B5\u00A0o</p></div>", div);
        Assert.True(XHtml.IsValidNarrativeXhtml(div, out var error, out _), error);
    }

    [Fact]
    public void The_writer_escapes_attribute_values_and_refuses_elements_and_attributes_a_narrative_must_not_have()
    {
        var div = new Xhtml().Open("td", ("style", "color:red\" onclick=\"x")).Close("td").ToString();

        Assert.Equal("<div xmlns=\"http://www.w3.org/1999/xhtml\"><td style=\"color:red&quot; onclick=&quot;x\"></td></div>", div);
        Assert.Throws<ArgumentException>(() => new Xhtml().Open("script"));
        Assert.Throws<ArgumentException>(() => new Xhtml().Open("img"));
        Assert.Throws<ArgumentException>(() => new Xhtml().Open("p", ("onclick", "x")));
        Assert.Throws<ArgumentException>(() => new Xhtml().Open("a", ("href", "https://example.org")));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_narrative_passes_firelys_narrative_rules_and_uses_only_the_allowed_attributes_with_no_external_reference(string example)
    {
        var report = Assess(example).Report;

        Assert.True(XHtml.IsValidNarrativeXhtml(report.Text!.Div!, out var error, out var errors), $"{error} {string.Join("; ", errors ?? [])}");
        foreach (var attribute in Div(report).DescendantsAndSelf().Attributes().Where(a => !a.IsNamespaceDeclaration))
        {
            Assert.Contains(attribute.Name.LocalName, new[] { "style", "rowspan", "colspan", "border", "cellpadding" });
            Assert.DoesNotMatch("(?i)url\\(|expression|@import|javascript|behavior", attribute.Value);
        }
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
