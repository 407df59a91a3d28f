using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Benchmarks.Load;

/// <summary>
/// Feed bundles made from one example, each about a new patient: the Patient id, its fullUrl, the subject
/// references, the Observation ids and fullUrls and the Bundle id are rewritten, so that no two bundles of
/// a run share a patient (the service serialises work per patient) or a result.
/// </summary>
internal sealed class BundleGenerator
{
    private const string Token = "zzpatientzz";

    private readonly string template;
    private readonly string run = Guid.NewGuid().ToString("N")[..6];
    private int issued;

    private BundleGenerator(string template) => this.template = template;

    /// <summary>Bytes of one bundle (compact JSON).</summary>
    public int BundleBytes => Encoding.UTF8.GetByteCount(template.Replace(Token, PatientId(0), StringComparison.Ordinal));

    public static BundleGenerator FromExample(string path)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var entries = bundle["entry"]!.AsArray();
        var patient = entries.Select(e => e!["resource"]!).Single(r => (string?)r["resourceType"] == "Patient");
        var patientId = (string)patient["id"]!;
        bundle["id"] = $"b-{Token}";
        var observations = 0;
        foreach (var entry in entries.Select(e => e!.AsObject()))
        {
            var resource = entry["resource"]!.AsObject();
            var id = (string)resource["resourceType"]! == "Patient"
                ? Token
                : $"{Token}-obs-{(++observations).ToString(CultureInfo.InvariantCulture)}";
            resource["id"] = id;
            var fullUrl = (string)entry["fullUrl"]!;
            entry["fullUrl"] = fullUrl[..(fullUrl.LastIndexOf('/') + 1)] + id;
            if (resource["subject"]?["reference"] is JsonValue reference)
            {
                resource["subject"]!["reference"] = ((string)reference!).Replace(patientId, Token, StringComparison.Ordinal);
            }
        }

        var generator = new BundleGenerator(bundle.ToJsonString());
        generator.Check();
        return generator;
    }

    /// <summary>The next <paramref name="count"/> bundles, each for a patient not used before in this run.</summary>
    public IReadOnlyList<byte[]> Next(int count) =>
        Enumerable.Range(0, count)
            .Select(_ => Encoding.UTF8.GetBytes(template.Replace(Token, PatientId(Interlocked.Increment(ref issued)), StringComparison.Ordinal)))
            .ToList();

    /// <summary>The write-back transaction the service would send for this bundle (what `fhirmmn classify` prints).</summary>
    public static byte[] WriteBackOf(byte[] bundle)
    {
        var read = FeedReader.Read(bundle);
        var (_, writeBack) = Assessor.AssessOffline(read.Bundle!, "default", null);
        return FhirJson.SerializeToUtf8Bytes(writeBack.Transaction);
    }

    private string PatientId(int n) => $"load-{run}-{n.ToString("D7", CultureInfo.InvariantCulture)}";

    /// <summary>Two generated bundles are accepted by the service's reader and are about different patients.</summary>
    private void Check()
    {
        var keys = new[] { 1, 2 }
            .Select(n => FeedReader.Read(Encoding.UTF8.GetBytes(template.Replace(Token, PatientId(n), StringComparison.Ordinal))))
            .Select(read => read.Accepted
                ? read.Bundle!.Patient.Key
                : throw new LoadFailedException("The generated bundle is refused by the feed reader: the template rewrite broke it."))
            .ToList();
        if (keys[0] == keys[1])
        {
            throw new LoadFailedException("Generated bundles share a patient key: the template rewrite missed the patient.");
        }
    }
}
