namespace FhirMmn.Domain;

/// <summary>
/// The EFNS/PNS 2010 classification of multifocal motor neuropathy (see <see cref="EfnsPns2010"/>), as
/// revised in criteria revision 2 (docs/criteria.md): evidence in, category with every reason out.
/// Pure: no I/O, no clock, no configuration.
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
        else if (!segments.Any(s => s.Status is SegmentStatus.Graded or SegmentStatus.NotGradeable or SegmentStatus.NotAssessable))
        {
            missing.Insert(0, new(MissingDataKind.NoSegmentToGrade,
                "no segment outside the entrapment sites that the criteria could grade",
                "extended motor conduction studies: stimulation at two or more sites outside entrapment sites, up to Erb's point, in more nerves",
                DecidingTest.ExtendedMotorStudies));
        }

        var nerves = AssessNerves(studies, segments, evidence.Snaps);
        foreach (var nerve in nerves.Where(n => n.MissingGrade > n.CountedGrade))
        {
            missing.Add(SnapMissing(nerve));
        }

        var sensory = AssessSensory(evidence.Snaps, missing);
        var clinical = ClinicalPicture.Of(evidence.Clinical);
        var supportive = Supportive.Of(evidence);
        IncompleteSnapsThatCouldDecide(sensory, clinical, supportive, nerves, missing);

        // Section 4.1 item 4: a block whose sensory conduction across it is not established is a
        // missing-data finding only where counting it would change the category; else it does not count.
        var counted = Counted(nerves, withNotEstablished: false);
        var notEstablished = nerves.Where(n => n.NotEstablishedGrade > n.CountedGrade).ToList();
        var notEstablishedMatters = notEstablished.Count > 0
            && Category(clinical, Counted(nerves, withNotEstablished: true), sensory, supportive, missing)
                != Category(clinical, counted, sensory, supportive, missing);
        if (notEstablishedMatters)
        {
            missing.AddRange(notEstablished.Select(NotEstablished));
        }

        // Section 4.1 item 3: the supportive tests not done, where two could still be met.
        var potential = Potential(nerves, notEstablishedMatters);
        missing.AddRange(SupportiveTestsNotDone(clinical, supportive, counted, potential));

        var (category, reasons) = Decide(clinical, counted, nerves, sensory, supportive, missing, notEstablishedMatters);

        // Section 4.1 item 9: an equivocal anti-GM1 that, raised on a repeat, would change the category.
        var repeatCouldDecide = supportive.AntiGm1Equivocal
            && category != Category(clinical, counted, sensory, supportive.AssumingMet([CriterionId.AntiGm1Raised]), missing);
        if (repeatCouldDecide)
        {
            reasons.Add("The IgM anti-GM1 antibodies are equivocal: raised on a repeat, they would change the category.");
        }

        var criteria = clinical.Criteria
            .Concat(ElectrophysiologicalCriteria(nerves, segments, sensory, notEstablishedMatters))
            .Concat(supportive.Criteria)
            .ToList();
        var marked = MarkDeciding(segments, category, clinical.ExactlyOneWeakNerve, counted, nerves, notEstablishedMatters);
        var snaps = SnapFindings(evidence.Snaps);
        var nerveFindings = nerves.Select(n => n.Finding with { Deciding = Mark(n.Finding.Deciding, marked) }).ToList();
        var caveats = marked.SelectMany(s => s.Caveats)
            .Concat(supportive.Criteria.SelectMany(c => c.Caveats))
            .Concat(snaps.SelectMany(s => s.Caveats))
            .Distinct()
            .ToList();

        return new MmnAssessment(
            category,
            clinical.Assumed.Count == 0 ? ClinicalBasis.ClinicalCriteriaProvided : ClinicalBasis.ClinicalCriteriaAssumed,
            clinical.Assumed,
            marked,
            nerveFindings,
            criteria,
            missing,
            reasons,
            UpperMotorNeuronOrBulbarSigns: evidence.Clinical.UpperMotorNeuronSigns == true || evidence.Clinical.MarkedBulbarInvolvement == true,
            SensoryInvolvement: evidence.Clinical.ObjectiveSensoryLoss == true || sensory.AnyLowSnap)
        {
            Snaps = snaps,
            Caveats = caveats,
            AntiGm1Equivocal = supportive.AntiGm1Equivocal,
            AntiGm1RepeatCouldDecide = repeatCouldDecide,
            CsfProteinOneGramOrMore = supportive.CsfProteinOneGramOrMore,
        };
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

        if (evidence.Snaps.Any(s => s.Site is { } site && site.LimbOf() != s.Nerve.LimbOf()))
        {
            throw new ArgumentException("A SNAP's stimulation site does not belong to its nerve's limb.", nameof(evidence));
        }

        if (evidence.Snaps.Select(s => (s.Nerve, s.Side, s.Slot)).Distinct().Count() != evidence.Snaps.Count)
        {
            throw new ArgumentException("More than one SNAP for one nerve, side and stimulation site; keep the newest.", nameof(evidence));
        }
    }

    /// <summary>A block of one segment or span and how its sensory condition stands.</summary>
    private sealed record RowCheck(SegmentFinding Row, SensoryCheck Check, string Why)
    {
        public bool Counts => Check is SensoryCheck.NotRequired or SensoryCheck.Normal;
    }

    /// <summary>A nerve with the sensory check of each of its blocks.</summary>
    private sealed record NerveAssessment(NerveFinding Finding, IReadOnlyList<RowCheck> Checks)
    {
        public BlockGrade CountedGrade => Best(Checks.Where(c => c.Counts));

        public BlockGrade MissingGrade => Best(Checks.Where(c => c.Check == SensoryCheck.Missing));

        public BlockGrade NotEstablishedGrade => Best(Checks.Where(c => c.Check == SensoryCheck.NotEstablished));

        /// <summary>The most local of the best-graded blocks with this check.</summary>
        public RowCheck? BestOf(SensoryCheck check)
        {
            var withCheck = Checks.Where(c => c.Check == check).ToList();
            var best = Best(withCheck);
            return Preferred(withCheck.Where(c => c.Row.Grade == best));
        }

        private static BlockGrade Best(IEnumerable<RowCheck> checks) => checks.Select(c => c.Row.Grade).DefaultIfEmpty(BlockGrade.None).Max();
    }

    /// <summary>A nerve whose block counts (or would count), at the grade it counts with.</summary>
    private sealed record Block(NerveAssessment Nerve, BlockGrade Grade, RowCheck Row);

    /// <summary>The most local row first: segments before spans, shorter spans before longer, distal first.</summary>
    private static RowCheck? Preferred(IEnumerable<RowCheck> checks) => checks
        .OrderBy(c => c.Row.Kind)
        .ThenBy(c => c.Row.ProximalSite - c.Row.DistalSite)
        .ThenBy(c => c.Row.DistalSite)
        .ThenBy(c => c.Row.StudyId, StringComparer.Ordinal)
        .FirstOrDefault();

    private static List<NerveAssessment> AssessNerves(List<MotorStudy> studies, List<SegmentFinding> segments, IReadOnlyList<SnapResult> snaps)
    {
        var nerves = new List<NerveAssessment>();
        foreach (var (nerve, side) in studies.Select(s => (s.Nerve, s.Side)).Distinct())
        {
            var checks = segments
                .Where(s => s.Nerve == nerve && s.Side == side && s.Status == SegmentStatus.Graded && s.Grade != BlockGrade.None)
                .Select(s => Check(s, snaps))
                .ToList();
            if (checks.Count == 0)
            {
                nerves.Add(new(new NerveFinding(nerve, side, BlockGrade.None, SensoryCheck.NotRequired, "no conduction block"), checks));
                continue;
            }

            var grade = checks.Max(c => c.Row.Grade);
            var countedGrade = checks.Where(c => c.Counts).Select(c => c.Row.Grade).DefaultIfEmpty(BlockGrade.None).Max();
            var pendingGrade = checks.Where(c => c.Check is SensoryCheck.Missing or SensoryCheck.NotEstablished)
                .Select(c => c.Row.Grade).DefaultIfEmpty(BlockGrade.None).Max();
            var deciding = countedGrade != BlockGrade.None
                ? Preferred(checks.Where(c => c.Counts && c.Row.Grade == countedGrade))!
                : Preferred(checks.Where(c => c.Row.Grade == grade))!;
            var why = deciding.Why;
            var higher = countedGrade == BlockGrade.None ? null : Preferred(checks.Where(c => !c.Counts && c.Row.Grade > countedGrade));
            if (higher is not null)
            {
                why += $"; the {Lower(higher.Row.Grade)} block {RowName(higher.Row)} does not count: {higher.Why}";
            }

            var finding = new NerveFinding(nerve, side, grade, deciding.Check, why)
            {
                CountedGrade = countedGrade,
                PendingGrade = pendingGrade,
                Deciding = deciding.Row,
                Caveats = deciding.Row.Caveats,
            };
            nerves.Add(new(finding, checks));
        }

        return nerves;
    }

    /// <summary>
    /// Criterion 3 for one block (docs/criteria.md, revision 2 items 4 to 6). A peroneal block counts
    /// unless its own sensory branch, the superficial peroneal SNAP of that side, is present and low. An
    /// upper-limb block counts when the distal SNAP of that nerve and side, or a segmental SNAP stimulated
    /// at or above the block's proximal site, is at or above its lower limit; a low segmental SNAP across
    /// the block means it does not count (reading taken: even beside a normal distal SNAP).
    /// </summary>
    private static RowCheck Check(SegmentFinding row, IReadOnlyList<SnapResult> snaps)
    {
        var counterpart = row.Nerve.SensoryCounterpart()!.Value;
        var own = snaps.Where(s => s.Nerve == counterpart && s.Side == row.Side).ToList();
        if (row.Nerve.LimbOf() == Limb.Lower)
        {
            var low = own.FirstOrDefault(s => s.IsLow);
            return low is null
                ? new(row, SensoryCheck.NotRequired, "a peroneal block needs no SNAP" +
                    (own.Any(s => s.IsNormal) ? $"; the {row.Side.Name()} superficial peroneal SNAP is normal" : string.Empty))
                : new(row, SensoryCheck.Low,
                    $"the {low.Name} SNAP, the peroneal nerve's own sensory branch, is low ({Amplitude(low)}): the block does not count");
        }

        var distal = own.FirstOrDefault(s => s.IsDistal);
        var across = own.Where(s => !s.IsDistal && s.Site >= row.ProximalSite).ToList();
        var lowAcross = across.FirstOrDefault(s => s.IsLow);
        var normalAcross = across.FirstOrDefault(s => s.IsNormal);
        var name = $"{row.Side.Name()} {counterpart.Name()}";
        if (lowAcross is not null)
        {
            return new(row, SensoryCheck.Low, $"{name} SNAP stimulated at {lowAcross.Site!.Value.Name()}, across the block, low ({Amplitude(lowAcross)}): the block does not count");
        }

        if (distal is { IsNormal: true })
        {
            return new(row, SensoryCheck.Normal, $"{name} SNAP normal ({Amplitude(distal)})");
        }

        if (normalAcross is not null)
        {
            return new(row, SensoryCheck.Normal, $"{name} SNAP stimulated at {normalAcross.Site!.Value.Name()}, across the block, normal ({Amplitude(normalAcross)})");
        }

        if (distal is { IsLow: true })
        {
            return new(row, SensoryCheck.NotEstablished,
                $"{name} SNAP low ({Amplitude(distal)}) and no segmental SNAP across the block: sensory conduction across the block not established");
        }

        return new(row, SensoryCheck.Missing, distal is null ? $"no {name} SNAP" : $"the {name} SNAP lacks its value or lower limit");
    }

    private static string Amplitude(SnapResult s) =>
        $"{Measured.Format(s.AmplitudeUv!.Value)} µV against a lower limit of {Measured.Format(s.LowerLimitUv!.Value)} µV";

    private static MissingDataFinding SnapMissing(NerveAssessment nerve)
    {
        var row = nerve.BestOf(SensoryCheck.Missing)!;
        var n = nerve.Finding;
        var counterpart = n.Nerve.SensoryCounterpart()!.Value;
        return new(MissingDataKind.SnapMissingForBlock,
            $"{n.Name}: conduction block, but {row.Why}: sensory conduction in the blocked segment unknown",
            $"the {n.Side.Name()} {counterpart.Name()} SNAP amplitude with its lower limit of normal", DecidingTest.SensoryStudies);
    }

    private static MissingDataFinding NotEstablished(NerveAssessment nerve)
    {
        var row = nerve.BestOf(SensoryCheck.NotEstablished)!;
        var n = nerve.Finding;
        var counterpart = n.Nerve.SensoryCounterpart()!.Value;
        var carpalTunnel = counterpart == SensoryNerve.Median
            ? "; a low median SNAP is often a carpal tunnel syndrome, distal to the block"
            : string.Empty;
        return new(MissingDataKind.SensoryAcrossBlockNotEstablished,
            $"{n.Name}: {Lower(row.Row.Grade)} conduction block {RowName(row.Row)}, but {row.Why}",
            $"a sensory study across the blocked segment: the {n.Side.Name()} {counterpart.Name()} SNAP stimulated at or above {row.Row.ProximalSite.Name()}{carpalTunnel}",
            DecidingTest.SensoryStudyAcrossBlock);
    }

    private static List<Block> Counted(List<NerveAssessment> nerves, bool withNotEstablished)
    {
        var blocks = new List<Block>();
        foreach (var n in nerves)
        {
            var counting = n.Checks.Where(c => c.Counts || (withNotEstablished && c.Check == SensoryCheck.NotEstablished)).ToList();
            if (counting.Count > 0)
            {
                var grade = counting.Max(c => c.Row.Grade);
                blocks.Add(new(n, grade, Preferred(counting.Where(c => c.Row.Grade == grade))!));
            }
        }

        return blocks;
    }

    /// <summary>The blocks that count, and those that may once their sensory data is in (missing, or not established where that matters).</summary>
    private static List<Block> Potential(List<NerveAssessment> nerves, bool notEstablishedMatters)
    {
        var blocks = new List<Block>();
        foreach (var n in nerves)
        {
            var counting = n.Checks.Where(c => c.Counts || c.Check == SensoryCheck.Missing
                || (notEstablishedMatters && c.Check == SensoryCheck.NotEstablished)).ToList();
            if (counting.Count > 0)
            {
                var grade = counting.Max(c => c.Row.Grade);
                blocks.Add(new(n, grade, Preferred(counting.Where(c => c.Row.Grade == grade))!));
            }
        }

        return blocks;
    }

    /// <summary>
    /// Section 4.1 item 3: at least two weak nerves and a probable block in exactly one nerve (counted, or
    /// counting once its sensory data is in), fewer than two supportive criteria met, but met plus not
    /// provided (or equivocal) at least two: each supportive test not done is a missing-data finding.
    /// </summary>
    private static List<MissingDataFinding> SupportiveTestsNotDone(
        ClinicalPicture clinical, Supportive supportive, List<Block> counted, List<Block> potential)
    {
        bool OneProbableBlock(List<Block> blocks) => blocks.Count == 1 && blocks[0].Grade == BlockGrade.Probable;
        var block = OneProbableBlock(counted) ? counted[0] : OneProbableBlock(potential) ? potential[0] : null;
        if (block is null || clinical.Exclusions.Count > 0 || !clinical.TwoOrMoreWeakNerves
            || supportive.MetCount >= EfnsPns2010.SupportiveCriteriaForProbableWithOneBlock
            || supportive.MetCount + supportive.Open.Count < EfnsPns2010.SupportiveCriteriaForProbableWithOneBlock)
        {
            return [];
        }

        var need = $"the probable block in the {block.Nerve.Finding.Name} nerve alone needs " +
            $"{EfnsPns2010.SupportiveCriteriaForProbableWithOneBlock} supportive criteria for probable MMN, {supportive.MetCount} met";
        return supportive.Open
            .Select(o => new MissingDataFinding(MissingDataKind.SupportiveTestNotDone,
                $"{NotDone(o.Id, o.Test)}: {need}", o.Name, o.Test))
            .ToList();
    }

    private static string NotDone(CriterionId id, DecidingTest test) => id switch
    {
        CriterionId.AntiGm1Raised => test == DecidingTest.AntiGm1Repeat ? "IgM anti-GM1 antibodies equivocal" : "IgM anti-GM1 antibodies not tested",
        CriterionId.CsfProteinRaised => "CSF protein not provided",
        CriterionId.MriPlexusHyperintensity => "brachial plexus MRI not provided",
        _ => "no objective response to IVIg recorded",
    };

    private sealed record SensoryPicture(
        bool NormalUpperLimbConduction, bool AnyLowSnap, bool AnyLowUpperLimbSnap, IReadOnlyList<SnapResult> IncompleteUpperLimb, string Detail);

    private static SensoryPicture AssessSensory(IReadOnlyList<SnapResult> snaps, List<MissingDataFinding> missing)
    {
        var upper = snaps.Where(s => s.Nerve.IsUpperLimb()).OrderBy(s => s.Nerve).ThenBy(s => s.Side).ThenBy(s => s.Slot).ToList();

        if (upper.Count == 0)
        {
            missing.Add(new(MissingDataKind.NoUpperLimbSnap, "no upper-limb SNAP",
                "sensory conduction studies (SNAP amplitude with lower limit of normal) of the median, ulnar or radial nerves",
                DecidingTest.SensoryStudies));
        }

        var normal = upper.Count > 0 && upper.All(s => s.IsNormal);
        var lowNames = snaps.Where(s => s.IsLow).Select(s => s.Name).ToList();
        var detail = upper.Count == 0 ? "no upper-limb SNAP"
            : normal ? upper.Count switch
            {
                1 => "the one upper-limb SNAP at or above its lower limit of normal",
                2 => "both upper-limb SNAPs at or above their lower limit of normal",
                _ => $"all {upper.Count} upper-limb SNAPs at or above their lower limit of normal",
            }
            : lowNames.Count > 0 ? $"low SNAP: {string.Join(", ", lowNames)}"
            : "an upper-limb SNAP lacks its value or lower limit";
        return new(normal, snaps.Any(s => s.IsLow), upper.Any(s => s.IsLow), upper.Where(s => !s.IsComplete).ToList(), detail);
    }

    /// <summary>Every SNAP as read; a low sural or superficial peroneal SNAP carries the caveat of section 4.1 item 5.</summary>
    private static List<SnapFinding> SnapFindings(IReadOnlyList<SnapResult> snaps) => snaps
        .OrderBy(s => s.Nerve).ThenBy(s => s.Side).ThenBy(s => s.Slot)
        .Select(s => new SnapFinding(
            s.Nerve, s.Side, s.Site, !s.IsDistal, s.AmplitudeUv, s.LowerLimitUv,
            s.IsNormal ? SnapStatus.Normal : s.IsLow ? SnapStatus.Low : SnapStatus.Incomplete,
            s.IsLow && s.Nerve is SensoryNerve.Sural or SensoryNerve.SuperficialPeroneal
                ? [new Caveat(CaveatKind.LowLegSnap,
                    $"a low {s.Nerve.Name()} SNAP is sensory involvement, which MMN does not have: consider the CIDP / MADSAM work-up or another cause of a sensory neuropathy")]
                : [],
            s.SourceId))
        .ToList();

    /// <summary>
    /// An upper-limb SNAP without its value or lower limit matters only where normal sensory conduction
    /// could still decide: the IVIg route to possible MMN, with no upper-limb SNAP already low. There it
    /// is a missing-data finding; elsewhere it changes nothing and is not one.
    /// </summary>
    private static void IncompleteSnapsThatCouldDecide(
        SensoryPicture sensory, ClinicalPicture clinical, Supportive supportive, List<NerveAssessment> nerves, List<MissingDataFinding> missing)
    {
        if (!clinical.TwoOrMoreWeakNerves || !supportive.IvigResponse || sensory.AnyLowUpperLimbSnap)
        {
            return;
        }

        var namedAlready = nerves.Where(n => n.MissingGrade > n.CountedGrade)
            .Select(n => (n.Finding.Nerve.SensoryCounterpart(), n.Finding.Side)).ToHashSet();
        foreach (var snap in sensory.IncompleteUpperLimb.Where(s => !namedAlready.Contains((s.Nerve, s.Side))))
        {
            missing.Add(new(MissingDataKind.UpperLimbSnapIncomplete, $"{snap.Name} SNAP without its value or lower limit of normal",
                $"the {snap.Name} SNAP amplitude with its lower limit of normal", DecidingTest.SensoryStudies));
        }
    }

    private static MmnCategory Category(
        ClinicalPicture clinical, List<Block> counted, SensoryPicture sensory, Supportive supportive, List<MissingDataFinding> missing)
    {
        var withSupportive = missing.Concat(SupportiveTestsNotDone(clinical, supportive, counted, counted)).ToList();
        return Decide(clinical, counted, [], sensory, supportive, withSupportive, notEstablishedMatters: false).Category;
    }

    private static (MmnCategory Category, List<string> Reasons) Decide(
        ClinicalPicture clinical,
        List<Block> counted,
        List<NerveAssessment> nerves,
        SensoryPicture sensory,
        Supportive supportive,
        List<MissingDataFinding> missing,
        bool notEstablishedMatters)
    {
        var reasons = new List<string>();
        if (clinical.Assumed.Count > 0)
        {
            reasons.Add($"Not provided, assumed favourable: {string.Join(", ", clinical.Assumed.Select(f => f.Describe()))}.");
        }

        // 1. Exclusions and the core duration criterion.
        if (clinical.Exclusions.Count > 0)
        {
            reasons.Add($"Criteria not met: {string.Join("; ", clinical.Exclusions)}.");
            return (MmnCategory.CriteriaNotMet, reasons);
        }

        var blocks = string.Join("; ", counted.Select(b =>
            $"{Lower(b.Grade)} conduction block in the {b.Nerve.Finding.Name} nerve ({RowName(b.Row.Row)}; {b.Row.Why})"));
        var uncounted = nerves
            .Where(n => n.Checks.Any(c => !c.Counts && c.Row.Grade > n.CountedGrade))
            .Select(n =>
            {
                var row = Preferred(n.Checks.Where(c => !c.Counts && c.Row.Grade == n.Checks.Where(x => !x.Counts).Max(x => x.Row.Grade)))!;
                var why = row.Check == SensoryCheck.NotEstablished && !notEstablishedMatters
                    ? $"{row.Why}, and counting it would not change the category"
                    : row.Why;
                return $"the {Lower(row.Row.Grade)} block in the {n.Finding.Name} nerve ({RowName(row.Row)}) does not count: {why}";
            })
            .ToList();
        var weak = clinical.TwoOrMoreWeakNerves;

        // 2. Definite.
        if (weak && counted.Any(b => b.Grade == BlockGrade.Definite))
        {
            reasons.Add($"Definite MMN: weakness in at least two nerves ({clinical.WeakNerveText}), {blocks}.");
            return (MmnCategory.Definite, reasons);
        }

        // 3. Probable.
        if (weak && counted.Count >= 2)
        {
            reasons.Add($"Probable MMN: weakness in at least two nerves ({clinical.WeakNerveText}), probable or definite block in {counted.Count} nerves: {blocks}.");
            return (MmnCategory.Probable, reasons);
        }

        if (weak && counted.Count == 1 && supportive.MetCount >= EfnsPns2010.SupportiveCriteriaForProbableWithOneBlock)
        {
            reasons.Add($"Probable MMN: weakness in at least two nerves ({clinical.WeakNerveText}), {blocks}, and {supportive.MetCount} supportive criteria ({string.Join(", ", supportive.MetNames)}).");
            return (MmnCategory.Probable, reasons);
        }

        // 4. Possible.
        if (weak && sensory.NormalUpperLimbConduction && supportive.IvigResponse)
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
            reasons.Add(clinical.ExactlyOneWeakNerve || weak
                ? $"Block counted in {(counted.Count == 1 ? "one nerve" : $"{counted.Count} nerves")} with {supportive.MetCount} supportive {(supportive.MetCount == 1 ? "criterion" : "criteria")} met: not enough for probable MMN."
                : $"Conduction block found, but weakness is reported in no nerve ({clinical.WeakNerveText}).");
        }
        else if (uncounted.Count == 0)
        {
            reasons.Add("No probable or definite conduction block in a gradeable segment or span.");
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

    /// <summary>
    /// The segments and spans that decided: the counted blocks of definite, probable and possible MMN
    /// (one row per nerve, the most local); for insufficient data also the rows that could not be graded
    /// or assessed and the blocks whose sensory data is missing or not established where that matters.
    /// </summary>
    private static List<SegmentFinding> MarkDeciding(
        List<SegmentFinding> segments, MmnCategory category, bool oneWeakNerve, List<Block> counted, List<NerveAssessment> nerves, bool notEstablishedMatters)
    {
        var deciding = new HashSet<SegmentFinding>(ReferenceEqualityComparer.Instance);
        switch (category)
        {
            case MmnCategory.Definite:
                deciding.UnionWith(counted.Where(b => b.Grade == BlockGrade.Definite).Select(b => b.Row.Row));
                break;
            case MmnCategory.Probable:
                deciding.UnionWith(counted.Select(b => b.Row.Row));
                break;
            case MmnCategory.Possible when oneWeakNerve:
                deciding.UnionWith(counted.Select(b => b.Row.Row));
                break;
            case MmnCategory.InsufficientData:
                deciding.UnionWith(counted.Select(b => b.Row.Row));
                deciding.UnionWith(segments.Where(s => s.Kind == SegmentKind.Segment && s.Status is SegmentStatus.NotGradeable or SegmentStatus.NotAssessable));
                deciding.UnionWith(nerves.Where(n => n.MissingGrade > n.CountedGrade).Select(n => n.BestOf(SensoryCheck.Missing)!.Row));
                if (notEstablishedMatters)
                {
                    deciding.UnionWith(nerves.Where(n => n.NotEstablishedGrade > n.CountedGrade).Select(n => n.BestOf(SensoryCheck.NotEstablished)!.Row));
                }

                break;
            default:
                break;
        }

        return segments.Select(s => deciding.Contains(s) ? s with { Decided = true } : s).ToList();
    }

    private static SegmentFinding? Mark(SegmentFinding? row, List<SegmentFinding> marked) =>
        row is null ? null : marked.First(m => m.Kind == row.Kind && m.StudyId == row.StudyId && m.DistalSite == row.DistalSite && m.ProximalSite == row.ProximalSite);

    private static IEnumerable<CriterionResult> ElectrophysiologicalCriteria(
        List<NerveAssessment> nerves, List<SegmentFinding> segments, SensoryPicture sensory, bool notEstablishedMatters)
    {
        var incomplete = segments.Count == 0 || segments.Any(s => s.Status is SegmentStatus.NotGradeable or SegmentStatus.NotAssessable)
            || !segments.Any(s => s.Status == SegmentStatus.Graded);
        BlockGrade Pending(NerveAssessment n) => notEstablishedMatters ? n.Finding.PendingGrade : n.MissingGrade;
        CriterionResult Block(CriterionId id, string title, Func<BlockGrade, bool> qualifies)
        {
            var found = nerves.Where(n => qualifies(n.Finding.Grade)).ToList();
            var counting = nerves.Where(n => qualifies(n.CountedGrade)).ToList();
            if (counting.Count > 0)
            {
                return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.Met, false,
                    string.Join("; ", counting.Select(n => $"{n.Finding.Name} ({Lower(n.CountedGrade)}, {RowName(n.Finding.Deciding!)})")));
            }

            if (found.Any(n => qualifies(Pending(n))) || incomplete)
            {
                return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.NotProvided, false,
                    found.Count > 0 ? "a block was found, but the sensory conduction across it is missing or not established" : "not every segment could be graded");
            }

            return new(id, CriterionGroup.Electrophysiological, title, CriterionStatus.NotMet, false,
                found.Count > 0 ? "found, but the sensory conduction of the blocked nerve does not let it count" : "none in the graded segments and spans");
        }

        yield return Block(CriterionId.DefiniteConductionBlock, "Definite motor conduction block", g => g == BlockGrade.Definite);
        yield return Block(CriterionId.ProbableConductionBlock, "Probable (or definite) motor conduction block", g => g != BlockGrade.None);

        var blocked = nerves.Where(n => n.Finding.Grade != BlockGrade.None && n.Finding.Nerve.LimbOf() == Limb.Upper).ToList();
        const string title = "Normal sensory nerve conduction in upper-limb segments with conduction block";
        if (blocked.Count > 0)
        {
            bool Open(NerveAssessment n) => !n.Finding.Counts
                && (n.Finding.Sensory == SensoryCheck.Missing || (n.Finding.Sensory == SensoryCheck.NotEstablished && notEstablishedMatters));
            var status = blocked.All(n => n.Finding.Counts) ? CriterionStatus.Met
                : blocked.Any(n => !n.Finding.Counts && !Open(n)) ? CriterionStatus.NotMet
                : CriterionStatus.NotProvided;
            yield return new(CriterionId.NormalSensoryConduction, CriterionGroup.Electrophysiological, title, status, false,
                string.Join("; ", blocked.Select(n => n.Finding.SensoryWhy)));
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

    private static string RowName(SegmentFinding row) => row.Kind == SegmentKind.Span ? $"span {row.Name}" : row.Name;

    private static string Lower(BlockGrade grade) => grade.ToString().ToLowerInvariant();

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
