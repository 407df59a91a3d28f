using System.Text.Json.Nodes;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Tests;

/// <summary>Results of one patient that arrive in different bundles, days apart.</summary>
public sealed class EvidenceMergeTests
{
    private static IReadOnlyList<FeedObservation> Read(JsonNode bundle, long sequence) =>
        bundle.Read(new FeedReaderOptions { Sequence = sequence }).Accepted().Observations;

    /// <summary>The definite example split in two: conduction studies first, the clinical findings later.</summary>
    private static (JsonObject Studies, JsonObject Later) Split()
    {
        var studies = Feeds.Load(Feeds.Definite);
        var later = Feeds.Load(Feeds.Definite);
        var all = studies["entry"]!.AsArray();
        for (var i = all.Count - 1; i >= 9; i--)
        {
            all.RemoveAt(i);
        }

        var rest = later["entry"]!.AsArray();
        for (var i = 8; i >= 1; i--)
        {
            rest.RemoveAt(i);
        }

        return (studies, later);
    }

    [Fact]
    public void Studies_first_and_clinical_findings_later_combine_into_one_assessment()
    {
        var (studies, later) = Split();

        var first = MmnClassifier.Classify(EvidenceAssembler.Assemble(Read(studies, 1)).Evidence);
        var merged = EvidenceAssembler.Assemble(Read(studies, 1).Concat(Read(later, 2)));
        var second = MmnClassifier.Classify(merged.Evidence);

        Assert.Equal(ClinicalBasis.ClinicalCriteriaAssumed, first.Basis);
        Assert.Equal(MmnCategory.Definite, second.Category);
        Assert.Equal(ClinicalBasis.ClinicalCriteriaProvided, second.Basis);
        Assert.Equal(15, merged.Used.Count);
    }

    [Fact]
    public void A_redelivered_bundle_changes_nothing_not_even_the_digest()
    {
        var bundle = Feeds.Load(Feeds.Definite);

        var once = EvidenceAssembler.Assemble(Read(bundle, 1));
        var twice = EvidenceAssembler.Assemble(Read(bundle, 1).Concat(Read(bundle, 2)));

        Assert.Equal(once.Digest, twice.Digest);
        Assert.Equal(once.Used.Count, twice.Used.Count);
    }

    [Fact]
    public void A_corrected_version_replaces_the_earlier_one_and_changes_the_digest()
    {
        var original = Feeds.Load(Feeds.Definite);
        var corrected = Feeds.Load(Feeds.Definite);
        corrected.Entry(2)["status"] = "corrected";
        corrected.Entry(2)["component"]![2]!["valueQuantity"] = Feeds.Quantity(20m, "mV.ms");

        var before = EvidenceAssembler.Assemble(Read(original, 1));
        var after = EvidenceAssembler.Assemble(Read(original, 1).Concat(Read(corrected, 2)));

        Assert.NotEqual(before.Digest, after.Digest);
        var ulnar = after.Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar);
        Assert.Equal(20m, ulnar.Sites.Single(s => s.Site == StimulationSite.BelowElbow).AreaMvMs);
        Assert.Equal(MmnCategory.Definite, MmnClassifier.Classify(before.Evidence).Category);
        Assert.Equal(MmnCategory.CriteriaNotMet, MmnClassifier.Classify(after.Evidence).Category);
    }

    [Fact]
    public void A_higher_version_wins_even_when_it_arrives_first()
    {
        var v2 = Feeds.Load(Feeds.Definite);
        v2.Entry(7)["meta"] = new JsonObject { ["versionId"] = "2" };
        v2.Entry(7)["valueQuantity"] = Feeds.Quantity(4m, "uV");
        var v1 = Feeds.Load(Feeds.Definite);
        v1.Entry(7)["meta"] = new JsonObject { ["versionId"] = "1" };

        var evidence = EvidenceAssembler.Assemble(Read(v2, 1).Concat(Read(v1, 2)));

        Assert.Equal(4m, evidence.Evidence.Snaps.Single(s => s.Nerve == SensoryNerve.Ulnar).AmplitudeUv);
    }

    [Fact]
    public void A_result_entered_in_error_withdraws_its_evidence_and_the_patient_is_reassessed()
    {
        var original = Feeds.Load(Feeds.Definite);
        var withdrawal = Feeds.Load(Feeds.Definite);
        withdrawal.Entry(7)["status"] = "entered-in-error";

        var evidence = EvidenceAssembler.Assemble(Read(original, 1).Concat(Read(withdrawal, 2)));
        var assessment = MmnClassifier.Classify(evidence.Evidence);

        Assert.DoesNotContain(evidence.Evidence.Snaps, s => s.Nerve == SensoryNerve.Ulnar);
        Assert.Contains(evidence.NotUsed, n => n.Reason.Contains("entered in error", StringComparison.Ordinal));
        Assert.Equal(MmnCategory.InsufficientData, assessment.Category);
        Assert.Contains(assessment.MissingData, m => m.Kind == MissingDataKind.SnapMissingForBlock);
    }

    [Fact]
    public void The_newest_snap_of_a_nerve_and_side_counts()
    {
        var earlier = Feeds.Load(Feeds.Definite);
        var later = Feeds.Load(Feeds.Definite);
        var snap = later.Entry(7);
        snap["id"] = "snap-repeat";
        snap["effectiveDateTime"] = "2026-11-01";
        snap["valueQuantity"] = Feeds.Quantity(5m, "uV");
        later["entry"]![7]!["fullUrl"] = "https://ehr.example.org/fhir/Observation/snap-repeat";

        var evidence = EvidenceAssembler.Assemble(Read(earlier, 1).Concat(Read(later, 2)));

        Assert.Equal(5m, evidence.Evidence.Snaps.Single(s => s.Nerve == SensoryNerve.Ulnar).AmplitudeUv);
        Assert.Contains(evidence.NotUsed, n => n.Reason.Contains("superseded", StringComparison.Ordinal));
        Assert.Equal("2026-11-01", evidence.Newest!.EffectiveText);
    }

    [Fact]
    public void The_newest_snap_per_nerve_side_and_site_counts_and_no_site_and_the_wrist_are_one_distal_snap()
    {
        var earlier = Feeds.Load(Feeds.SegmentalSnap);
        var later = Feeds.Load(Feeds.SegmentalSnap);
        var distal = later.Entry(5);
        distal["id"] = "snap-repeat";
        distal["effectiveDateTime"] = "2026-11-01";
        distal["valueQuantity"] = Feeds.Quantity(16m, "uV");
        distal["component"]!.AsArray().Add(Feeds.Component(ContractCodes.StimulationSiteComponent, Feeds.Concept(Contract.StimulationSite, "wrist")));
        later["entry"]![5]!["fullUrl"] = "https://ehr.example.org/fhir/Observation/snap-repeat";

        var evidence = EvidenceAssembler.Assemble(Read(earlier, 1).Concat(Read(later, 2)));

        var median = evidence.Evidence.Snaps.Where(s => s.Nerve == SensoryNerve.Median).OrderBy(s => s.Site).ToList();
        Assert.Equal([(StimulationSite.Wrist, 16m), (StimulationSite.Elbow, 17m)], median.Select(s => (s.Site!.Value, s.AmplitudeUv!.Value)));
        Assert.Contains(evidence.NotUsed, n => n.Observation.Identity.Key.EndsWith("segmental-snap-obs-5", StringComparison.Ordinal));
        Assert.Equal(MmnCategory.Definite, MmnClassifier.Classify(evidence.Evidence).Category);
    }
}

public sealed class FeedBundleSequenceTests
{
    [Fact]
    public void A_bundle_read_first_and_put_in_sequence_later_equals_one_read_in_that_sequence()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Feeds.Text(Feeds.Definite));

        var later = FeedReader.Read(bytes).Bundle!.InSequence(7);
        var direct = FeedReader.Read(bytes, new FeedReaderOptions { Sequence = 7 }).Bundle!;

        Assert.Equal(direct.Observations.Select(o => o.Arrival), later.Observations.Select(o => o.Arrival));
        Assert.Equal(EvidenceAssembler.Assemble(direct.Observations).Digest, EvidenceAssembler.Assemble(later.Observations).Digest);
        Assert.Equal(7 * FeedReader.EntriesPerSequence + 1, later.Observations[0].Arrival);
    }
}
