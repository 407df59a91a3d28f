using FhirMmn.Fhir.Assessing;
using FhirMmn.Testing;

namespace FhirMmn.Fhir.Tests;

/// <summary>
/// The screenshots in docs/ (docs/report.md) stay current: each PNG is committed beside the HTML page it was rendered
/// from, and that page must hold exactly the narrative the builder makes now. Pixels are not compared (fonts and
/// Chromium versions move them); a narrative that changed fails here until docs/render-reports.sh redraws both.
/// </summary>
public sealed class ReportScreenshotTests
{
    private const string DivStart = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

    public static TheoryData<string> Screenshots() => new(Pages());

    private static List<string> Pages() =>
        Directory.GetFiles(Repository.PathOf("docs"), "report-*.html").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void There_are_screenshots_of_a_definite_and_an_insufficient_report()
    {
        var names = Pages();

        Assert.True(names.Count >= 3, string.Join(", ", names));
        Assert.Contains(names, n => n.StartsWith("report-definite-", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("report-insufficient-", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Screenshots))]
    public void The_page_of_a_screenshot_holds_the_narrative_the_builder_makes_now(string page)
    {
        var example = "example-" + page["report-".Length..] + ".json";
        var html = File.ReadAllText(Repository.PathOf("docs", page + ".html"));
        var start = html.IndexOf(DivStart, StringComparison.Ordinal);
        var end = html.LastIndexOf("</div>", html.IndexOf("</body>", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/{page}.html holds no narrative div");

        var (_, writeBack) = Assessor.AssessOffline(Feeds.Load(example).Read().Accepted(), "default", null);

        Assert.True(writeBack.Report.Text!.Div == html[start..(end + "</div>".Length)],
            $"docs/{page}.html is not the narrative the builder makes now for examples/{example}: run docs/render-reports.sh and look at the PNGs.");
    }

    [Theory]
    [MemberData(nameof(Screenshots))]
    public void Each_page_has_its_screenshot_beside_it(string page)
    {
        var png = File.ReadAllBytes(Repository.PathOf("docs", page + ".png"));

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        Assert.True(png.Length > 10_000, "a screenshot of a report is more than a blank page");
    }
}
