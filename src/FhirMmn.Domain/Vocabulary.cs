namespace FhirMmn.Domain;

/// <summary>Side of the body. A nerve in this model is a nerve on one side.</summary>
public enum Side
{
    Left,
    Right,
}

/// <summary>The motor nerves of the feed contract (docs/feed-contract.md).</summary>
public enum MotorNerve
{
    Median,
    Ulnar,
    Radial,
    Musculocutaneous,
    Peroneal,
    Tibial,
}

/// <summary>The sensory nerves of the feed contract.</summary>
public enum SensoryNerve
{
    Median,
    Ulnar,
    Radial,
    Sural,
    SuperficialPeroneal,

    /// <summary>The sensory branch of the musculocutaneous nerve (EFNS/PNS 2010 criterion 3 for a musculocutaneous block).</summary>
    LateralAntebrachialCutaneous,
}

/// <summary>Stimulation sites. Within each limb the declaration order is distal to proximal.</summary>
public enum StimulationSite
{
    Wrist,
    BelowElbow,
    Elbow,
    AboveElbow,
    Axilla,
    ErbPoint,
    Ankle,
    BelowFibularHead,
    AboveFibularHead,
    PoplitealFossa,
}

public enum Limb
{
    Upper,
    Lower,
}

public static class Vocabulary
{
    public static Limb LimbOf(this MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median or MotorNerve.Ulnar or MotorNerve.Radial or MotorNerve.Musculocutaneous => Limb.Upper,
        MotorNerve.Peroneal or MotorNerve.Tibial => Limb.Lower,
        _ => throw new ArgumentOutOfRangeException(nameof(nerve)),
    };

    public static Limb LimbOf(this StimulationSite site) =>
        site <= StimulationSite.ErbPoint ? Limb.Upper : Limb.Lower;

    public static bool IsUpperLimb(this SensoryNerve nerve) =>
        nerve is SensoryNerve.Median or SensoryNerve.Ulnar or SensoryNerve.Radial or SensoryNerve.LateralAntebrachialCutaneous;

    public static Limb LimbOf(this SensoryNerve nerve) => nerve.IsUpperLimb() ? Limb.Upper : Limb.Lower;

    /// <summary>
    /// The sensory nerve whose SNAP tells whether sensory conduction is normal in a motor nerve's
    /// territory (EFNS/PNS 2010 electrophysiological criterion 3; criteria revision 2 items 5 and 6 (docs/criteria.md)):
    /// for the musculocutaneous its sensory branch, the lateral antebrachial cutaneous nerve; for the
    /// peroneal its own sensory branch, the superficial peroneal nerve. The tibial has none.
    /// </summary>
    public static SensoryNerve? SensoryCounterpart(this MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median => SensoryNerve.Median,
        MotorNerve.Ulnar => SensoryNerve.Ulnar,
        MotorNerve.Radial => SensoryNerve.Radial,
        MotorNerve.Musculocutaneous => SensoryNerve.LateralAntebrachialCutaneous,
        MotorNerve.Peroneal => SensoryNerve.SuperficialPeroneal,
        _ => null,
    };

    /// <summary>
    /// The elbow region: below-elbow, elbow and above-elbow. A segment or span with both sites in it is
    /// short (criteria revision 2 item 2, docs/criteria.md); the 30 % criterion for probable block needs a long one.
    /// </summary>
    public static bool IsInElbowRegion(this StimulationSite site) =>
        site is StimulationSite.BelowElbow or StimulationSite.Elbow or StimulationSite.AboveElbow;

    /// <summary>
    /// Whether a SNAP stimulated at <paramref name="site"/> is the distal SNAP of its nerve (section 4.1
    /// item 4): no site, or the wrist. For the lateral antebrachial cutaneous nerve also the elbow, where
    /// its routine study stimulates it (reading taken, docs/criteria.md). Any other site makes a
    /// segmental SNAP.
    /// </summary>
    public static bool IsDistalSnapSite(this SensoryNerve nerve, StimulationSite? site) =>
        site is null or StimulationSite.Wrist
        || (nerve == SensoryNerve.LateralAntebrachialCutaneous && site == StimulationSite.Elbow);

    public static string Name(this MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median => "median",
        MotorNerve.Ulnar => "ulnar",
        MotorNerve.Radial => "radial",
        MotorNerve.Musculocutaneous => "musculocutaneous",
        MotorNerve.Peroneal => "peroneal",
        MotorNerve.Tibial => "tibial",
        _ => throw new ArgumentOutOfRangeException(nameof(nerve)),
    };

    public static string Name(this SensoryNerve nerve) => nerve switch
    {
        SensoryNerve.Median => "median",
        SensoryNerve.Ulnar => "ulnar",
        SensoryNerve.Radial => "radial",
        SensoryNerve.Sural => "sural",
        SensoryNerve.SuperficialPeroneal => "superficial peroneal",
        SensoryNerve.LateralAntebrachialCutaneous => "lateral antebrachial cutaneous",
        _ => throw new ArgumentOutOfRangeException(nameof(nerve)),
    };

    public static string Name(this Side side) => side == Side.Left ? "left" : "right";

    public static string Name(this StimulationSite site) => site switch
    {
        StimulationSite.Wrist => "wrist",
        StimulationSite.BelowElbow => "below elbow",
        StimulationSite.Elbow => "elbow",
        StimulationSite.AboveElbow => "above elbow",
        StimulationSite.Axilla => "axilla",
        StimulationSite.ErbPoint => "Erb's point",
        StimulationSite.Ankle => "ankle",
        StimulationSite.BelowFibularHead => "below fibular head",
        StimulationSite.AboveFibularHead => "above fibular head",
        StimulationSite.PoplitealFossa => "popliteal fossa",
        _ => throw new ArgumentOutOfRangeException(nameof(site)),
    };

    /// <summary>A clinical finding in people's words, as the criteria need it (the favourable reading).</summary>
    public static string Describe(this ClinicalFinding finding) => finding switch
    {
        ClinicalFinding.WeaknessNerveCount => "weakness in at least two nerves",
        ClinicalFinding.WeaknessDuration => "weakness for more than one month",
        ClinicalFinding.ObjectiveSensoryLoss => "no objective sensory loss",
        ClinicalFinding.UpperMotorNeuronSigns => "no upper motor neuron signs",
        ClinicalFinding.MarkedBulbarInvolvement => "no marked bulbar involvement",
        ClinicalFinding.DiffuseSymmetricWeaknessEarly => "no diffuse symmetric weakness in the first weeks",
        _ => throw new ArgumentOutOfRangeException(nameof(finding)),
    };
}
