using System.Globalization;

namespace FhirMmn.Domain;

/// <summary>Percentages for people: rounded, but never rounded across a threshold of the criteria.</summary>
public static class Percent
{
    private static readonly decimal[] Thresholds =
    [
        EfnsPns2010.ProbableAreaReductionPercent,
        EfnsPns2010.DefiniteAreaReductionPercent,
        EfnsPns2010.MaxDurationIncreasePercent,
    ];

    /// <summary>
    /// Formats an exact percentage with one decimal, or with as many more as it takes for the shown
    /// value to stand on the same side of every threshold as the exact one (49.96 shows as 49.96, not 50.0).
    /// </summary>
    public static string Format(decimal exact)
    {
        for (var decimals = 1; decimals <= 6; decimals++)
        {
            var shown = Math.Round(exact, decimals, MidpointRounding.AwayFromZero);
            if (Thresholds.All(t => Math.Sign(shown - t) == Math.Sign(exact - t)))
            {
                return shown.ToString("0.0#####", CultureInfo.InvariantCulture) + " %";
            }
        }

        return exact.ToString("0.0###########################", CultureInfo.InvariantCulture) + " %";
    }
}
