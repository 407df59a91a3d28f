namespace FhirMmn.Domain;

/// <summary>
/// The range of a plausible measurement. Within it the classifier's exact decimal comparisons cannot
/// overflow or round: 10^6 with 10 decimals, multiplied by 100, still fits a decimal's 28 digits.
/// </summary>
public static class Measurement
{
    public const decimal MaximumValue = 1_000_000m;

    public const int MaximumDecimals = 10;

    public static bool IsPlausible(decimal value) =>
        value >= 0m && value <= MaximumValue && value.Scale <= MaximumDecimals;
}
