namespace FhirMmn.Domain;

/// <summary>
/// Segments and spans of a motor study and their conduction block grades (EFNS/PNS 2010
/// electrophysiological criteria 1 and 2; docs/criteria.md, revision 2 items 1, 2, 7 and 8). Threshold
/// comparisons cross-multiply in decimal: no division, no rounding, so a case exactly at a boundary stays
/// on the side the criteria put it.
/// </summary>
internal static class ConductionBlockGrading
{
    internal sealed record GradedSegment(SegmentFinding Finding, MissingDataFinding? Missing);

    /// <summary>
    /// Each pair of consecutive reported sites (a segment), then each site two or more further up paired
    /// with the study's most distal site (a span: "whatever the nerve segment length"). A span that
    /// crosses an entrapment site, and a tibial span, is left out: it would only repeat why its segments
    /// are not graded. A span never adds a missing-data finding of its own: what it lacks (the data at the
    /// most distal site or at its proximal site, the floor at the most distal site) is already the
    /// finding of the segment that starts or ends there.
    /// </summary>
    public static IEnumerable<GradedSegment> Grade(MotorStudy study)
    {
        var sites = study.Sites.OrderBy(s => s.Site).ToList();
        var lowerLimit = sites.Select(s => s.AmplitudeLowerLimitMv).FirstOrDefault(v => v is not null);
        for (var i = 0; i + 1 < sites.Count; i++)
        {
            yield return GradeSegment(study, sites[i], sites[i + 1], lowerLimit, SegmentKind.Segment);
        }

        for (var j = 2; j < sites.Count; j++)
        {
            if (study.Nerve == MotorNerve.Tibial || CrossesEntrapmentSite(study.Nerve, sites[0].Site, sites[j].Site))
            {
                continue;
            }

            var span = GradeSegment(study, sites[0], sites[j], lowerLimit, SegmentKind.Span);
            yield return span with { Missing = null };
        }
    }

    /// <summary>
    /// Common entrapment sites: the ulnar nerve across the elbow (any segment with a site at or distal
    /// to below-elbow and one at or proximal to above-elbow, or the site "elbow" itself) and the
    /// peroneal nerve across the fibular head. Palm sites are not in the vocabulary.
    /// </summary>
    public static bool CrossesEntrapmentSite(MotorNerve nerve, StimulationSite distal, StimulationSite proximal) => nerve switch
    {
        MotorNerve.Ulnar => distal == StimulationSite.Elbow
            || proximal == StimulationSite.Elbow
            || (distal <= StimulationSite.BelowElbow && proximal >= StimulationSite.AboveElbow),
        MotorNerve.Peroneal => distal <= StimulationSite.BelowFibularHead && proximal >= StimulationSite.AboveFibularHead,
        _ => false,
    };

    private static GradedSegment GradeSegment(MotorStudy study, CmapSite distal, CmapSite proximal, decimal? lowerLimit, SegmentKind kind)
    {
        SegmentFinding Finding(SegmentStatus status, decimal? reduction, decimal? increase, BlockGrade grade, string why) =>
            new(study.Id, study.Nerve, study.Side, distal.Site, proximal.Site, status, reduction, increase, grade, why) { Kind = kind };

        var where = $"{study.Side.Name()} {study.Nerve.Name()}, {distal.Site.Name()} to {proximal.Site.Name()}";

        if (study.Nerve == MotorNerve.Tibial)
        {
            return new(Finding(SegmentStatus.NerveNotGraded, null, null, BlockGrade.None,
                "tibial segments are not graded by the criteria"), null);
        }

        if (CrossesEntrapmentSite(study.Nerve, distal.Site, proximal.Site))
        {
            var site = study.Nerve == MotorNerve.Ulnar ? "the elbow" : "the fibular head";
            return new(Finding(SegmentStatus.EntrapmentSite, null, null, BlockGrade.None,
                $"crosses a common entrapment site ({site}): not graded"), null);
        }

        var absent = new List<string>();
        if (distal.AmplitudeMv is null)
        {
            absent.Add($"CMAP amplitude at {distal.Site.Name()}");
        }

        if (lowerLimit is null)
        {
            absent.Add("the lower limit of normal of the CMAP amplitude");
        }

        foreach (var site in new[] { distal, proximal })
        {
            if (site.AreaMvMs is null)
            {
                absent.Add($"CMAP negative-peak area at {site.Site.Name()}");
            }

            if (site.DurationMs is null)
            {
                absent.Add($"CMAP negative-peak duration at {site.Site.Name()}");
            }
        }

        decimal? reduction = null;
        decimal? increase = null;
        if (distal.AreaMvMs is > 0m && proximal.AreaMvMs is { } pa)
        {
            reduction = (distal.AreaMvMs.Value - pa) * 100m / distal.AreaMvMs.Value;
        }

        if (distal.DurationMs is > 0m && proximal.DurationMs is { } pd)
        {
            increase = (pd - distal.DurationMs.Value) * 100m / distal.DurationMs.Value;
        }

        if (absent.Count > 0)
        {
            var list = string.Join(", ", absent);
            return new(
                Finding(SegmentStatus.NotGradeable, reduction, increase, BlockGrade.None, $"not gradeable: not sent: {list}"),
                new(MissingDataKind.SegmentNotGradeable, $"{where}: not gradeable, not sent: {list}", $"{list} ({where})",
                    DecidingTest.CmapAreaAndDuration));
        }

        var amplitude = distal.AmplitudeMv!.Value;
        var limit = lowerLimit!.Value;
        var da = distal.AreaMvMs!.Value;
        var dd = distal.DurationMs!.Value;
        if (da <= 0m || dd <= 0m)
        {
            return new(
                Finding(SegmentStatus.NotGradeable, reduction, increase, BlockGrade.None,
                    $"not gradeable: the distal CMAP {(da <= 0m ? "area" : "duration")} is not positive"),
                new(MissingDataKind.SegmentNotGradeable, $"{where}: distal CMAP area or duration not positive",
                    $"a valid CMAP negative-peak area and duration at {distal.Site.Name()} ({where})", DecidingTest.CmapAreaAndDuration));
        }

        var aboveFloor = amplitude > EfnsPns2010.DistalAmplitudeFloorMv;
        var aboveFraction = amplitude * 100m > EfnsPns2010.DistalAmplitudeFloorPercentOfLowerLimit * limit;
        if (!aboveFloor || !aboveFraction)
        {
            var why = !aboveFloor
                ? $"the distal CMAP amplitude {Measured.Format(amplitude)} mV is not above {Measured.Format(EfnsPns2010.DistalAmplitudeFloorMv)} mV"
                : $"the distal CMAP amplitude {Measured.Format(amplitude)} mV is not above {Measured.Format(EfnsPns2010.DistalAmplitudeFloorPercentOfLowerLimit)} % of the lower limit of normal ({Measured.Format(limit)} mV)";
            return new(
                Finding(SegmentStatus.NotAssessable, reduction, increase, BlockGrade.None,
                    $"not assessable (distal CMAP too low, axonal loss): {why}"),
                new(MissingDataKind.SegmentNotAssessable, $"{where}: not assessable (distal CMAP too low, axonal loss): {why}",
                    $"motor conduction studies of other nerves ({where} cannot be assessed for a block; studying it again would not decide)",
                    DecidingTest.OtherNerves));
        }

        var finding = Finding(SegmentStatus.Graded, reduction, increase, BlockGrade.None, string.Empty);
        var (grade, reason) = GradeBlock(study.Nerve, finding.IsShort, da, proximal.AreaMvMs!.Value, dd, proximal.DurationMs!.Value,
            reduction!.Value, increase!.Value);
        return new(finding with { Grade = grade, Why = reason, Caveats = Caveats(study.Nerve, distal.Site, proximal.Site, grade) }, null);
    }

    /// <summary>
    /// Section 4.1 item 7: a grade that rests on Erb's point, and a radial segment or span across the
    /// spiral groove. Only on a block (probable or definite): a caveat qualifies a grade that could
    /// decide, and "no block" decides nothing.
    /// </summary>
    private static List<Caveat> Caveats(MotorNerve nerve, StimulationSite distal, StimulationSite proximal, BlockGrade grade)
    {
        var caveats = new List<Caveat>();
        if (grade == BlockGrade.None)
        {
            return caveats;
        }

        if (proximal == StimulationSite.ErbPoint)
        {
            caveats.Add(new(CaveatKind.ErbPointStimulation,
                "the block rests on stimulation at Erb's point, where supramaximal stimulation is hard to confirm: a submaximal stimulus there looks like a block"));
        }

        if (nerve == MotorNerve.Radial && distal <= StimulationSite.AboveElbow && proximal >= StimulationSite.Axilla)
        {
            caveats.Add(new(CaveatKind.RadialSpiralGroove,
                "the radial segment crosses the spiral groove, a compression site: a block here may be a compression neuropathy"));
        }

        return caveats;
    }

    private static (BlockGrade Grade, string Why) GradeBlock(
        MotorNerve nerve, bool isShort, decimal distalArea, decimal proximalArea, decimal distalDuration, decimal proximalDuration,
        decimal reduction, decimal increase)
    {
        // reduction >= t  <=>  (da - pa) * 100 >= t * da ; increase <= t  <=>  (pd - dd) * 100 <= t * dd
        bool ReductionAtLeast(decimal percent) => (distalArea - proximalArea) * 100m >= percent * distalArea;
        var durationWithin = (proximalDuration - distalDuration) * 100m <= EfnsPns2010.MaxDurationIncreasePercent * distalDuration;
        var definiteReduction = ReductionAtLeast(EfnsPns2010.DefiniteAreaReductionPercent);
        var probableReduction = ReductionAtLeast(EfnsPns2010.ProbableAreaReductionPercent);
        var upperLimb = nerve.LimbOf() == Limb.Upper;
        var definiteNerve = nerve is MotorNerve.Median or MotorNerve.Ulnar or MotorNerve.Peroneal;

        // Section 4.1 item 11: an area that rose prints as "area increased 10 %", never "reduced -10 %".
        var area = reduction >= 0m ? $"area reduced {Percent.Format(reduction)}" : $"area increased {Percent.Format(-reduction)}";
        var duration = increase >= 0m ? $"duration increased {Percent.Format(increase)}" : $"duration decreased {Percent.Format(-increase)}";
        var d50 = Measured.Format(EfnsPns2010.DefiniteAreaReductionPercent);
        var p30 = Measured.Format(EfnsPns2010.ProbableAreaReductionPercent);
        var t30 = Measured.Format(EfnsPns2010.MaxDurationIncreasePercent);
        const string ShortSegment = "a short segment (both sites in the elbow region)";

        if (definiteReduction && durationWithin && definiteNerve)
        {
            return (BlockGrade.Definite, $"{area} (>= {d50} %), {duration} (<= {t30} %): definite conduction block");
        }

        if (definiteReduction && !durationWithin)
        {
            return (BlockGrade.Probable, $"{area} (>= {d50} %), {duration} (> {t30} %): probable conduction block");
        }

        if (probableReduction && durationWithin && upperLimb && !isShort)
        {
            var note = definiteReduction ? $"; the {nerve.Name()} nerve reaches probable at most" : string.Empty;
            return (BlockGrade.Probable, $"{area} (>= {p30} %), {duration} (<= {t30} %) over a long segment of an upper-limb nerve: probable conduction block{note}");
        }

        if (probableReduction && durationWithin && upperLimb)
        {
            var nerveNote = definiteReduction ? $" (the definite criterion does not apply to the {nerve.Name()} nerve)" : string.Empty;
            return (BlockGrade.None, $"{area} (>= {p30} %), {duration} (<= {t30} %) over {ShortSegment}: the {p30} % criterion needs a long segment{nerveNote}: no conduction block");
        }

        if (probableReduction && !upperLimb)
        {
            return (BlockGrade.None, $"{area} (< {d50} %, needed in a lower-limb nerve), {duration}: no conduction block");
        }

        if (probableReduction)
        {
            return (BlockGrade.None, $"{area} (>= {p30} % but < {d50} %), {duration} (> {t30} %): no conduction block");
        }

        return (BlockGrade.None, reduction >= 0m
            ? $"{area} (< {p30} %), {duration}: no conduction block"
            : $"{area}, {duration}: no conduction block");
    }
}
