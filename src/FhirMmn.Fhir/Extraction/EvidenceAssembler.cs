using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FhirMmn.Domain;

namespace FhirMmn.Fhir.Extraction;

/// <summary>A result left out of the assessment, and why.</summary>
public sealed record NotUsed(FeedObservation Observation, string Reason);

/// <summary>The evidence of one patient, with the results it came from and the ones it left out.</summary>
public sealed record AssembledEvidence(
    MmnEvidence Evidence,
    IReadOnlyList<FeedObservation> Used,
    IReadOnlyList<NotUsed> NotUsed,
    FeedObservation? Newest,
    string Digest);

/// <summary>
/// Merges the results of one patient (from one bundle or many) into the classifier's evidence:
/// the newest version of each result, final/amended/corrected only, entered-in-error withdrawn,
/// CMAPs grouped into studies, the newest SNAP per nerve, side and stimulation site (the distal SNAP, sent
/// with no site or the wrist, is one), the newest clinical finding per code, anti-GM1 results oldest first.
/// </summary>
public static class EvidenceAssembler
{
    public static AssembledEvidence Assemble(IEnumerable<FeedObservation> observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var latest = observations
            .GroupBy(o => o.Identity.Key, StringComparer.Ordinal)
            .Select(g => g.Aggregate(Newer))
            .OrderBy(o => o.Identity.Key, StringComparer.Ordinal)
            .ToList();

        var notUsed = new List<NotUsed>();
        var candidates = new List<FeedObservation>();
        foreach (var observation in latest)
        {
            if (observation.IsEnteredInError)
            {
                notUsed.Add(new(observation, "entered in error: withdrawn"));
            }
            else if (!observation.IsUsable)
            {
                notUsed.Add(new(observation, $"status {observation.Status}: only final, amended and corrected results are used"));
            }
            else if (observation.Reading is ClinicalReading { Count: null, Present: null, Days: null, GramsPerLitre: null })
            {
                notUsed.Add(new(observation, "no value (data absent)"));
            }
            else
            {
                candidates.Add(observation);
            }
        }

        var used = new List<FeedObservation>();
        var studies = Studies(candidates, used, notUsed);
        var snaps = NewestPer(candidates, o => o.Reading is SnapReading s ? (s.Nerve, s.Side, SnapSlot(s)) : ((SensoryNerve, Side, int)?)null, used, notUsed)
            .Select(o => o.Reading is SnapReading s ? new SnapResult(s.Nerve, s.Side, s.AmplitudeUv, s.LowerLimitUv, o.Identity.Key, s.Site) : null!)
            .ToList();
        var antiGm1 = candidates.Where(o => o.Reading is AntiGm1Reading).OrderBy(o => (o.Effective, o.Arrival)).ToList();
        used.AddRange(antiGm1);
        var clinical = NewestPer(candidates, o => o.Reading is ClinicalReading c ? c.Code : (ClinicalCode?)null, used, notUsed)
            .ToDictionary(o => ((ClinicalReading)o.Reading!).Code, o => (ClinicalReading)o.Reading!);

        var evidence = new MmnEvidence(
            studies,
            snaps,
            antiGm1.Select(o => ((AntiGm1Reading)o.Reading!).Result).ToList(),
            Findings(clinical));
        var ordered = used.OrderBy(o => o.Arrival).ThenBy(o => o.Identity.Key, StringComparer.Ordinal).ToList();
        var newest = (ordered.Count > 0 ? ordered : latest).MaxBy(o => (o.Effective, o.Arrival));
        return new AssembledEvidence(evidence, ordered, notUsed, newest, Digest(latest));
    }

    /// <summary>The slot a SNAP fills for its nerve and side: -1 for the distal SNAP, else its stimulation site.</summary>
    private static int SnapSlot(SnapReading snap) => snap.Nerve.IsDistalSnapSite(snap.Site) ? -1 : (int)snap.Site!.Value;

    /// <summary>Between two versions of one result: the higher version when both are numbered, else the later arrival.</summary>
    private static FeedObservation Newer(FeedObservation a, FeedObservation b)
    {
        if (long.TryParse(a.Identity.VersionId, out var va) && long.TryParse(b.Identity.VersionId, out var vb) && va != vb)
        {
            return vb > va ? b : a;
        }

        return b.Arrival >= a.Arrival ? b : a;
    }

    private static List<MotorStudy> Studies(List<FeedObservation> candidates, List<FeedObservation> used, List<NotUsed> notUsed)
    {
        var studies = new List<MotorStudy>();
        var groups = candidates
            .Where(o => o.Reading is CmapReading)
            .GroupBy(o => ((CmapReading)o.Reading!).StudyGroup, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var sites = new List<CmapSite>();
            foreach (var site in group.GroupBy(o => ((CmapReading)o.Reading!).Site).OrderBy(g => g.Key))
            {
                var chosen = site.MaxBy(o => (o.Effective, o.Arrival))!;
                notUsed.AddRange(site.Where(o => o != chosen).Select(o => new NotUsed(o, "superseded by a newer result at the same site")));
                used.Add(chosen);
                var cmap = (CmapReading)chosen.Reading!;
                sites.Add(new CmapSite(cmap.Site, cmap.AmplitudeMv, cmap.AreaMvMs, cmap.DurationMs, cmap.LowerLimitMv, chosen.Identity.Key)
                {
                    OnsetLatencyMs = cmap.OnsetLatencyMs,
                });
            }

            var first = (CmapReading)group.First().Reading!;
            studies.Add(new MotorStudy(group.Key, first.Nerve, first.Side, sites));
        }

        return studies;
    }

    private static List<FeedObservation> NewestPer<TKey>(
        List<FeedObservation> candidates, Func<FeedObservation, TKey?> key, List<FeedObservation> used, List<NotUsed> notUsed)
        where TKey : struct
    {
        var chosen = new List<FeedObservation>();
        foreach (var group in candidates.Where(o => key(o) is not null).GroupBy(o => key(o)!.Value).OrderBy(g => g.Key))
        {
            var newest = group.MaxBy(o => (o.Effective, o.Arrival))!;
            notUsed.AddRange(group.Where(o => o != newest).Select(o => new NotUsed(o, "superseded by a newer result of the same kind")));
            chosen.Add(newest);
        }

        used.AddRange(chosen);
        return chosen;
    }

    private static ClinicalFindings Findings(Dictionary<ClinicalCode, ClinicalReading> c)
    {
        ClinicalReading? Get(ClinicalCode code) => c.GetValueOrDefault(code);
        return new ClinicalFindings
        {
            WeakNerveCount = Get(ClinicalCode.WeaknessNerveCount)?.Count,
            WeaknessDurationDays = Get(ClinicalCode.WeaknessDuration)?.Days,
            ObjectiveSensoryLoss = Get(ClinicalCode.ObjectiveSensoryLoss)?.Present,
            UpperMotorNeuronSigns = Get(ClinicalCode.UpperMotorNeuronSigns)?.Present,
            MarkedBulbarInvolvement = Get(ClinicalCode.MarkedBulbarInvolvement)?.Present,
            DiffuseSymmetricWeaknessEarly = Get(ClinicalCode.DiffuseSymmetricWeaknessEarly)?.Present,
            IvigResponse = Get(ClinicalCode.IvigResponse)?.Present,
            MriPlexusT2Hyperintensity = Get(ClinicalCode.MriPlexusT2Hyperintensity)?.Present,
            CsfProtein = Get(ClinicalCode.CsfProtein) is { GramsPerLitre: { } protein } csf
                ? new CsfProtein(protein, csf.UpperLimitGramsPerLitre, string.Empty)
                : null,
        };
    }

    /// <summary>
    /// What the assessment was made of: each result's identity, version, status, time and reading, and the
    /// classifier's versions. An unchanged digest means a redelivery: nothing new to write.
    /// </summary>
    private static string Digest(IEnumerable<FeedObservation> latest)
    {
        var text = new StringBuilder()
            .Append(ClassifierInfo.SoftwareVersion).Append('\n')
            .Append(ClassifierInfo.CriteriaVersion).Append('\n');
        foreach (var o in latest)
        {
            text.Append(o.Identity.Key).Append('|').Append(o.Identity.VersionId).Append('|').Append(o.Status).Append('|')
                .Append(o.EffectiveText).Append('|').Append(o.Reading);
            if (o.Reading is CmapReading { OnsetLatencyMs: { } latency })
            {
                text.Append("|onset-latency=").Append(latency.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
