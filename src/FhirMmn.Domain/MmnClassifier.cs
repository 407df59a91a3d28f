namespace FhirMmn.Domain;

/// <summary>
/// The EFNS/PNS 2010 classification of multifocal motor neuropathy (see <see cref="EfnsPns2010"/>):
/// evidence in, category with every reason out. Pure: no I/O, no clock, no configuration.
/// </summary>
public static class MmnClassifier
{
    public static MmnAssessment Classify(MmnEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        Validate(evidence);

        var missing = new List<MissingDataFinding>();
        var studies = evidence.MotorStudies
            .OrderBy(s => s.Nerve).ThenBy(s => s.Side).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var graded = studies.SelectMany(ConductionBlockGrading.Grade).ToList();
        var segments = graded.Select(g => g.Finding).ToList();
        missing.AddRange(graded.Where(g => g.Missing is not null).Select(g => g.Missing!));

        if (studies.Count == 0)
        {
            missing.Insert(0, new(MissingDataKind.NoMotorStudy, "no motor conduction study",
                "motor conduction studies with proximal stimulation, CMAP negative-peak area and duration at each site",
                DecidingTest.ExtendedMotorStudies));
        }
        else if (!segments.Any(s => s.Status is SegmentStatus.Graded or SegmentStatus.NotGradeable))
        {
            missing.Insert(0, new(MissingDataKind.NoSegmentToGrade,
                "no segment outside the entrapment sites that the criteria could grade",
                "extended motor conduction studies: stimulation at two or more sites outside entrapment sites, up to Erb's point, in more nerves",
                DecidingTest.ExtendedMotorStudies));
        }

        var snaps = evidence.Snaps.ToDictionary(s => (s.Nerve, s.Side));
        var nerves = AssessNerves(studies, segments, snaps, missing);
        var sensory = AssessSensory(evidence.Snaps, missing);
        var clinical = ClinicalPicture.Of(evidence.Clinical);
        var supportive = Supportive.Of(evidence);
        IncompleteSnapsThatCouldDecide(sensory, clinical, supportive, nerves, missing);
        var counted = nerves.Where(n => n.Counts).ToList();

        var (category, reasons) = Decide(clinical, counted, nerves, sensory, supportive, missing);
        var criteria = clinical.Criteria
            .Concat(ElectrophysiologicalCriteria(nerves, segments, sensory))
            .Concat(supportive.Criteria)
            .ToList();

        return new MmnAssessment(
            category,
            clinical.Assumed.Count == 0 ? ClinicalBasis.ClinicalCriteriaProvided : ClinicalBasis.ClinicalCriteriaAssumed,
            clinical.Assumed,
            segments,
            nerves,
            criteria,
            missing,
            reasons,
            UpperMotorNeuronOrBulbarSigns: evidence.Clinical.UpperMotorNeuronSigns == true || evidence.Clinical.MarkedBulbarInvolvement == true,
            SensoryInvolvement: evidence.Clinical.ObjectiveSensoryLoss == true || sensory.AnyLowSnap);
    }

    private static void Validate(MmnEvidence evidence)
    {
        var values = evidence.MotorStudies
            .SelectMany(s => s.Sites)
            .SelectMany(s => new[] { s.AmplitudeMv, s.AreaMvMs, s.DurationMs, s.AmplitudeLowerLimitMv })
            .Concat(evidence.Snaps.SelectMany(s => new[] { s.AmplitudeUv, s.LowerLimitUv }));
        if (values.Any(v => v is { } value && !Measurement.IsPlausible(value)))
        {
            throw new ArgumentOutOfRangeException(nameof(evidence),
                $"Conduction values must lie between 0 and {Measurement.MaximumValue} with at most {Measurement.MaximumDecimals} decimals.");
        }

        foreach (var study in evidence.MotorStudies)
        {
            if (study.Sites.Any(s => s.Site.LimbOf() != study.Nerve.LimbOf()))
            {
                throw new ArgumentException($"Study {study.Id}: a stimulation site does not belong to the {study.Nerve.Name()} nerve's limb.", nameof(evidence));
            }

            if (study.Sites.Select(s => s.Site).Distinct().Count() != study.Sites.Count)
            {
                throw new ArgumentException($"Study {study.Id}: a stimulation site appears twice.", nameof(evidence));
            }
        }

        if (evidence.Snaps.Select(s => (s.Nerve, s.Side)).Distinct().Count() != evidence.Snaps.Count)
        {
            throw new ArgumentException("More than one SNAP for one nerve and side; keep the newest.", nameof(evidence));
        }
    }

    private static List<NerveFinding> AssessNerves(
        List<MotorStudy> studies,
        List<SegmentFinding> segments,
        Dictionary<(SensoryNerve, Side), SnapResult> snaps,
        List<MissingDataFinding> missing)
    {
        var nerves = new List<NerveFinding>();
        foreach (var (nerve, side) in studies.Select(s => (s.Nerve, s.Side)).Distinct())
        {
            var grade = segments
                .Where(s => s.Nerve == nerve && s.Side == side && s.Status == SegmentStatus.Graded)
                .Select(s => s.Grade)
                .DefaultIfEmpty(BlockGrade.None)
                .Max();
            var name = $"{side.Name()} {nerve.Name()}";
            if (grade == BlockGrade.None)
            {
                nerves.Add(new(nerve, side, grade, SensoryCheck.NotRequired, "no conduction block"));
                continue;
            }

            if (nerve.LimbOf() == Limb.Lower)
            {
                nerves.Add(new(nerve, side, grade, SensoryCheck.NotRequired, "a peroneal block needs no SNAP"));
                continue;
            }

            var counterpart = nerve.SensoryCounterpart();
            SnapResult? snap = null;
            if (counterpart is { } sensoryNerve)
            {
                snaps.TryGetValue((sensoryNerve, side), out snap);
            }

            if (snap is null || snap.AmplitudeUv is null || snap.LowerLimitUv is null)
            {
                var what = counterpart is { } c
                    ? $"the {side.Name()} {c.Name()} SNAP amplitude with its lower limit of normal"
                    : $"a SNAP for the {name} nerve's territory (none is coded in the feed vocabulary)";
                var why = snap is null ? $"no SNAP of the {name} nerve" : $"the {name} SNAP lacks its value or lower limit";
                missing.Add(new(MissingDataKind.SnapMissingForBlock,
                    $"{name}: conduction block, but {why}: sensory conduction in the blocked segment unknown", what, DecidingTest.SensoryStudies));
                nerves.Add(new(nerve, side, grade, SensoryCheck.Missing, why));
                continue;
            }

            var normal = snap.AmplitudeUv.Value >= snap.LowerLimitUv.Value;
            var amplitude = $"{Measured.Format(snap.AmplitudeUv.Value)} uV against a lower limit of {Measured.Format(snap.LowerLimitUv.Value)} uV";
            nerves.Add(normal
                ? new(nerve, side, grade, SensoryCheck.Normal, $"{name} SNAP normal ({amplitude})")
                : new(nerve, side, grade, SensoryCheck.Low, $"{name} SNAP low ({amplitude}): the block does not count"));
        }

        return nerves;
    }

    private sealed record SensoryPicture(
        bool NormalUpperLimbConduction, bool AnyLowSnap, bool AnyLowUpperLimbSnap, IReadOnlyList<SnapResult> IncompleteUpperLimb, string Detail);

    private static SensoryPicture AssessSensory(IReadOnlyList<SnapResult> snaps, List<MissingDataFinding> missing)
    {
        var upper = snaps.Where(s => s.Nerve.IsUpperLimb()).OrderBy(s => s.Nerve).ThenBy(s => s.Side).ToList();
        bool Complete(SnapResult s) => s.AmplitudeUv is not null && s.LowerLimitUv is not null;
        bool Low(SnapResult s) => Complete(s) && s.AmplitudeUv!.Value < s.LowerLimitUv!.Value;

        if (upper.Count == 0)
        {
            missing.Add(new(MissingDataKind.NoUpperLimbSnap, "no upper-limb SNAP",
                "sensory conduction studies (SNAP amplitude with lower limit of normal) of the median, ulnar or radial nerves",
                DecidingTest.SensoryStudies));
        }

        var normal = upper.Count > 0 && upper.All(s => Complete(s) && !Low(s));
        var lowNames = snaps.Where(Low).Select(s => $"{s.Side.Name()} {s.Nerve.Name()}").ToList();
        var detail = upper.Count == 0 ? "no upper-limb SNAP"
            : normal ? $"all {upper.Count} upper-limb SNAP(s) at or above their lower limit of normal"
            : lowNames.Count > 0 ? $"low SNAP: {string.Join(", ", lowNames)}"
            : "an upper-limb SNAP lacks its value or lower limit";
        return new(normal, snaps.Any(Low), upper.Any(Low), upper.Where(s => !Complete(s)).ToList(), detail);
    }

    /// <summary>
    /// An upper-limb SNAP without its value or lower limit matters only where normal sensory conduction
    /// could still decide: the IVIg route to possible MMN, with no upper-limb SNAP already low. There it
    /// is a missing-data finding; elsewhere it changes nothing and is not one.
    /// </summary>
    private static void IncompleteSnapsThatCouldDecide(
        SensoryPicture sensory, ClinicalPicture clinical, Supportive supportive, List<NerveFinding> nerves, List<MissingDataFinding> missing)
    {
        if (!clinical.TwoOrMoreWeakNerves || !supportive.IvigResponse || sensory.AnyLowUpperLimbSnap)
        {
            return;
        }

        var namedAlready = nerves.Where(n => n.Sensory == SensoryCheck.Missing)
            .Select(n => (n.Nerve.SensoryCounterpart(), n.Side)).ToHashSet();
        foreach (var snap in sensory.IncompleteUpperLimb.Where(s => !namedAlready.Contains((s.Nerve, s.Side))))
        {
            var name = $"{snap.Side.Name()} {snap.Nerve.Name()}";
            missing.Add(new(MissingDataKind.UpperLimbSnapIncomplete, $"{name} SNAP without its value or lower limit of normal",
                $"the {name} SNAP amplitude with its lower limit of normal", DecidingTest.SensoryStudies));
        }
    }

    private static (MmnCategory, List<string>) Decide(
        ClinicalPicture clinical,
        List<NerveFinding> counted,
        List<NerveFinding> nerves,
        SensoryPicture sensory,
        Supportive supportive,
        List<MissingDataFinding> missing)
    {
        var reasons = new List<string>();
        if (clinical.Assumed.Count > 0)
        {
            reasons.Add($"Not provided, assumed favourable: {string.Join(", ", clinical.Assumed.Select(Describe))}.");
        }

        // 1. Exclusions and the core duration criterion.
        if (clinical.Exclusions.Count > 0)
        {
            reasons.Add($"Criteria not met: {string.Join("; ", clinical.Exclusions)}.");
            return (MmnCategory.CriteriaNotMet, reasons);
        }

        var blocks = string.Join("; ", counted.Select(n => $"{n.Grade.ToString().ToLowerInvariant()} conduction block in the {n.Name} nerve ({n.SensoryWhy})"));
        var uncounted = nerves.Where(n => n.Grade != BlockGrade.None && !n.Counts)
            .Select(n => $"the {n.Grade.ToString().ToLowerInvariant()} block in the {n.Name} nerve does not count: {n.SensoryWhy}")
            .ToList();

        // 2. Definite.
        if (clinical.TwoOrMoreWeakNerves && counted.Any(n => n.Grade == BlockGrade.Definite))
        {
            reasons.Add($"Definite MMN: weakness in at least two nerves ({clinical.WeakNerveText}), {blocks}.");
            return (MmnCategory.Definite, reasons);
        }

        // 3. Probable.
        if (clinical.TwoOrMoreWeakNerves && counted.Count >= 2)
        {
            reasons.Add($"Probable MMN: weakness in at least two nerves ({clinical.WeakNerveText}), probable or definite block in {counted.Count} nerves: {blocks}.");
            return (MmnCategory.Probable, reasons);
        }

        if (clinical.TwoOrMoreWeakNerves && counted.Count == 1 && supportive.MetCount >= EfnsPns2010.SupportiveCriteriaForProbableWithOneBlock)
        {
            reasons.Add($"Probable MMN: weakness in at least two nerves ({clinical.WeakNerveText}), {blocks}, and {supportive.MetCount} supportive criteria ({string.Join(", ", supportive.MetNames)}).");
            return (MmnCategory.Probable, reasons);
        }

        // 4. Possible.
        if (clinical.TwoOrMoreWeakNerves && sensory.NormalUpperLimbConduction && supportive.IvigResponse)
        {
            reasons.Add($"Possible MMN: weakness in at least two nerves ({clinical.WeakNerveText}), normal sensory conduction ({sensory.Detail}) and an objective response to IVIg.");
            reasons.AddRange(uncounted.Select(u => Capitalise(u) + "."));
            return (MmnCategory.Possible, reasons);
        }

        if (clinical.ExactlyOneWeakNerve && counted.Count >= 1)
        {
            reasons.Add($"Possible MMN: weakness in one nerve only, with {blocks}.");
            return (MmnCategory.Possible, reasons);
        }

        reasons.AddRange(uncounted.Select(u => Capitalise(u) + "."));
        if (counted.Count > 0)
        {
            reasons.Add(clinical.ExactlyOneWeakNerve || clinical.TwoOrMoreWeakNerves
                ? $"Block counted in {counted.Count} nerve(s) with {supportive.MetCount} supportive criteria: not enough for probable MMN."
                : $"Conduction block found, but weakness is reported in no nerve ({clinical.WeakNerveText}).");
        }
        else if (uncounted.Count == 0)
        {
            reasons.Add("No probable or definite conduction block in a gradeable segment.");
        }

        // 5. Missing data.
        if (missing.Count > 0)
        {
            reasons.Add($"Insufficient data: {string.Join("; ", missing.Select(m => m.Finding))}.");
            return (MmnCategory.InsufficientData, reasons);
        }

        // 6. Otherwise.
        reasons.Add("Criteria not met: no combination of clinical, conduction block and supportive findings reaches possible MMN.");
        return (MmnCategory.CriteriaNotMet, reasons);
    }

    private static IEnumerable<CriterionResult> ElectrophysiologicalCriteria(
        List<NerveFinding> nerves, List<SegmentFinding> segments, SensoryPicture sensory)
    {
        var incomplete = segments.Count == 0 || segments.Any(s => s.Status == SegmentStatus.NotGradeable)
            || !segments.Any(s => s.Status == SegmentStatus.Graded);
        CriterionResult Block(CriterionId id, string title, Func<NerveFinding, bool> qualifies)
        {
            var found = nerves.Where(qualifies).ToList();
            var counting = found.Where(n => n.Counts).ToList();
            if (counting.Count > 0)
            {
                return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.Met, false,
                    string.Join("; ", counting.Select(n => $"{n.Name} ({n.Grade.ToString().ToLowerInvariant()})")));
            }

            if (found.Any(n => n.Sensory == SensoryCheck.Missing) || incomplete)
            {
                return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.NotProvided, false,
                    found.Count > 0 ? "a block was found but its SNAP is missing" : "not every segment could be graded");
            }

            return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.NotMet, false,
                found.Count > 0 ? "found, but the SNAP of the blocked nerve is low" : "none in the graded segments");
        }

        yield return Block(CriterionId.DefiniteConductionBlock, "Definite motor conduction block", n => n.Grade == BlockGrade.Definite);
        yield return Block(CriterionId.ProbableConductionBlock, "Probable (or definite) motor conduction block", n => n.Grade != BlockGrade.None);

        var blocked = nerves.Where(n => n.Grade != BlockGrade.None && n.Nerve.LimbOf() == Limb.Upper).ToList();
        const string title = "Normal sensory nerve conduction in upper-limb segments with conduction block";
        if (blocked.Count > 0)
        {
            var status = blocked.Any(n => n.Sensory == SensoryCheck.Low) ? CriterionStatus.NotMet
                : blocked.Any(n => n.Sensory == SensoryCheck.Missing) ? CriterionStatus.NotProvided
                : CriterionStatus.Met;
            yield return new(CriterionId.NormalSensoryConduction, CriterionGroup.Electrophysiological, title, status, false,
                string.Join("; ", blocked.Select(n => n.SensoryWhy)));
        }
        else
        {
            var status = sensory.NormalUpperLimbConduction ? CriterionStatus.Met
                : sensory.AnyLowSnap ? CriterionStatus.NotMet
                : CriterionStatus.NotProvided;
            yield return new(CriterionId.NormalSensoryConduction, CriterionGroup.Electrophysiological,
                "Normal sensory nerve conduction in the upper limbs", status, false, sensory.Detail);
        }
    }

    internal static string Describe(ClinicalFinding finding) => finding switch
    {
        ClinicalFinding.WeaknessNerveCount => "weakness in at least two nerves",
        ClinicalFinding.WeaknessDuration => "weakness for more than one month",
        ClinicalFinding.ObjectiveSensoryLoss => "no objective sensory loss",
        ClinicalFinding.UpperMotorNeuronSigns => "no upper motor neuron signs",
        ClinicalFinding.MarkedBulbarInvolvement => "no marked bulbar involvement",
        ClinicalFinding.DiffuseSymmetricWeaknessEarly => "no diffuse symmetric weakness in the first weeks",
        _ => throw new ArgumentOutOfRangeException(nameof(finding)),
    };

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
