using System.Text.Json;
using BenchmarkDotNet.Attributes;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Testing;

namespace FhirMmn.Benchmarks;

/// <summary>
/// The classify path (read and check the bundle, extract, classify, build and serialise the write-back)
/// against the floor of any JSON service: parsing the same bytes with JsonDocument.
///   dotnet run -c Release --project tests/FhirMmn.Benchmarks -- --filter '*ClassifyBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ClassifyBenchmarks
{
    private byte[] bundle = [];

    [Params("example-bilateral-forty-results.json")]
    public string Example { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup() => bundle = File.ReadAllBytes(Repository.PathOf("examples", Example));

    [Benchmark(Baseline = true)]
    public int JsonDocumentParse()
    {
        using var document = JsonDocument.Parse(bundle);
        return document.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
    }

    [Benchmark]
    public int Classify()
    {
        var read = FeedReader.Read(bundle);
        var (_, writeBack) = Assessor.AssessOffline(read.Bundle!, "default", null);
        return FhirJson.SerializeToUtf8Bytes(writeBack.Transaction).Length;
    }

    [Benchmark]
    public int ReadAndCheckOnly() => FeedReader.Read(bundle).Bundle!.Observations.Count;
}
