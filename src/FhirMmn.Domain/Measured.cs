namespace FhirMmn.Domain;

/// <summary>How a reported value relates to the true value (FHIR Quantity.comparator).</summary>
public enum Comparator
{
    /// <summary>The value is the measurement itself.</summary>
    Exact,
    LessThan,
    LessOrEqual,
    GreaterOrEqual,
    GreaterThan,
}

/// <summary>
/// A measured value with its comparator, in exact decimal arithmetic. Comparisons answer
/// <c>null</c> when the comparator leaves the answer open (a value "&gt; 10" against a limit of 50).
/// </summary>
public readonly record struct Measured(decimal Value, Comparator Comparator = Comparator.Exact)
{
    public static implicit operator Measured(decimal value) => new(value);

    /// <summary>Whether the true value is strictly above <paramref name="threshold"/>.</summary>
    public bool? IsAbove(decimal threshold) => Comparator switch
    {
        Comparator.Exact => Value > threshold,
        Comparator.GreaterThan => Value >= threshold ? true : null,
        Comparator.GreaterOrEqual => Value > threshold ? true : null,
        Comparator.LessThan or Comparator.LessOrEqual => Value <= threshold ? false : null,
        _ => null,
    };

    /// <summary>Whether the true value is strictly below <paramref name="threshold"/>.</summary>
    public bool? IsBelow(decimal threshold) => Comparator switch
    {
        Comparator.Exact => Value < threshold,
        Comparator.LessThan => Value <= threshold ? true : null,
        Comparator.LessOrEqual => Value < threshold ? true : null,
        Comparator.GreaterThan or Comparator.GreaterOrEqual => Value >= threshold ? false : null,
        _ => null,
    };

    public static Measured FromDecimal(decimal value) => new(value);

    public override string ToString() => Comparator switch
    {
        Comparator.LessThan => "< " + Format(Value),
        Comparator.LessOrEqual => "<= " + Format(Value),
        Comparator.GreaterOrEqual => ">= " + Format(Value),
        Comparator.GreaterThan => "> " + Format(Value),
        _ => Format(Value),
    };

    internal static string Format(decimal value) =>
        value.ToString("0.############################", System.Globalization.CultureInfo.InvariantCulture);
}
