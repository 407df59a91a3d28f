namespace FhirMmn.Domain;

/// <summary>Side of the body. A nerve in this model is a nerve on one side.</summary>
public enum Side
{
    Left,
    Right,
}

/// <summary>The motor nerves of the feed contract (DESIGN.md section 5).</summary>
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
        nerve is SensoryNerve.Median or SensoryNerve.Ulnar or SensoryNerve.Radial;

    /// <summary>
    /// The sensory nerve whose SNAP tells whether sensory conduction is normal in a motor nerve's
    /// territory (EFNS/PNS 2010 electrophysiological criterion 3). Musculocutaneous has none in the
    /// feed vocabulary (its sensory branch, the lateral antebrachial cutaneous nerve, is not coded).
    /// </summary>
    public static SensoryNerve? SensoryCounterpart(this MotorNerve nerve) => nerve switch
    {
        MotorNerve.Median => SensoryNerve.Median,
        MotorNerve.Ulnar => SensoryNerve.Ulnar,
        MotorNerve.Radial => SensoryNerve.Radial,
        _ => null,
    };

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
}
