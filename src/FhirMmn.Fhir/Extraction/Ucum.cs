using System.Collections.Frozen;
using FhirMmn.Domain;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Extraction;

/// <summary>
/// The UCUM units FhirMmn accepts for each measurement, with exact decimal factors to the domain's unit.
/// A unit not listed is refused: guessing a scale is how a 1,000-fold error reaches a report.
/// </summary>
internal static class Ucum
{
    public static readonly FrozenDictionary<string, decimal> Millivolts = Table(("mV", 1m), ("uV", 0.001m), ("V", 1000m));
    public static readonly FrozenDictionary<string, decimal> Microvolts = Table(("uV", 1m), ("mV", 1000m), ("nV", 0.001m));
    public static readonly FrozenDictionary<string, decimal> MillivoltMilliseconds = Table(("mV.ms", 1m), ("uV.ms", 0.001m), ("mV.s", 1000m));
    public static readonly FrozenDictionary<string, decimal> Milliseconds = Table(("ms", 1m), ("s", 1000m), ("us", 0.001m));
    public static readonly FrozenDictionary<string, decimal> Days = Table(("mo", EfnsPns2010.DaysPerMonth), ("a", 365.25m), ("wk", 7m), ("d", 1m));
    public static readonly FrozenDictionary<string, decimal> GramsPerLitre = Table(("g/L", 1m), ("mg/dL", 0.01m), ("mg/L", 0.001m), ("g/dL", 10m));

    private static FrozenDictionary<string, decimal> Table(params (string Unit, decimal Factor)[] units) =>
        units.ToFrozenDictionary(u => u.Unit, u => u.Factor, StringComparer.Ordinal);

    public static string Names(FrozenDictionary<string, decimal> table) => string.Join(", ", table.Keys.Order(StringComparer.Ordinal));

    /// <summary>Converts a Quantity's value to the table's unit; returns the problem, or null.</summary>
    public static string? TryConvert(Quantity quantity, FrozenDictionary<string, decimal> table, bool allowComparator, out Measured value)
    {
        value = default;
        if (quantity.Value is not { } raw)
        {
            return "has no value";
        }

        if (quantity.System != Terminology.Ucum || quantity.Code is null)
        {
            return $"needs a UCUM unit (system {Terminology.Ucum} and code); accepted: {Names(table)}";
        }

        if (!table.TryGetValue(quantity.Code, out var factor))
        {
            return $"has a unit not accepted here; accepted: {Names(table)}";
        }

        var comparator = ParseComparator(quantity.Comparator);
        if (comparator is null)
        {
            return "has an unknown comparator";
        }

        if (comparator != Comparator.Exact && !allowComparator)
        {
            return "has a comparator, which this measurement does not accept";
        }

        if (raw < 0m)
        {
            return "is negative";
        }

        var converted = raw * factor;
        if (!Measurement.IsPlausible(converted))
        {
            return $"is out of any plausible range (up to {Measurement.MaximumValue} with at most {Measurement.MaximumDecimals} decimals)";
        }

        value = new Measured(converted, comparator.Value);
        return null;
    }

    public static Comparator? ParseComparator(string? code) => code switch
    {
        null => Comparator.Exact,
        "<" => Comparator.LessThan,
        "<=" => Comparator.LessOrEqual,
        ">=" => Comparator.GreaterOrEqual,
        ">" => Comparator.GreaterThan,
        _ => null,
    };
}
