using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FhirMmn.Fhir.R4;

/// <summary>The R4 primitive types: their JSON kinds and the formats the specification gives for them.</summary>
internal static partial class Primitives
{
    private const string Year = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
    private const string Month = "(0[1-9]|1[0-2])";
    private const string Day = "(0[1-9]|[1-2][0-9]|3[0-1])";
    private const string Time = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";
    private const string Zone = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";

    [GeneratedRegex("^" + Year + "(-" + Month + "(-" + Day + ")?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateRegex();

    [GeneratedRegex("^" + Year + "(-" + Month + "(-" + Day + "(T" + Time + Zone + ")?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex("^" + Year + "-" + Month + "-" + Day + "T" + Time + Zone + "$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantRegex();

    [GeneratedRegex("^" + Time + "$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeRegex();

    [GeneratedRegex(@"^[^\s]+(\s[^\s]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeRegex();

    [GeneratedRegex(@"^[A-Za-z0-9\-\.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"^\S+$", RegexOptions.CultureInvariant)]
    private static partial Regex UriRegex();

    [GeneratedRegex(@"^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$", RegexOptions.CultureInvariant)]
    private static partial Regex OidRegex();

    [GeneratedRegex("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex UuidRegex();

    [GeneratedRegex(@"^(\s*([0-9a-zA-Z\+/=]){4}\s*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Regex();

    /// <summary>Checks a JSON value against a primitive type; returns what is wrong, or null.</summary>
    public static string? Check(string type, JsonElement value)
    {
        switch (type)
        {
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "expected true or false";
            case "integer":
            case "positiveInt":
            case "unsignedInt":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
                {
                    return $"expected an {type} (a whole JSON number)";
                }

                return type switch
                {
                    "positiveInt" when number < 1 => "expected a positiveInt (1 or more)",
                    "unsignedInt" when number < 0 => "expected an unsignedInt (0 or more)",
                    _ => null,
                };
            case "decimal":
                return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out _)
                    ? null
                    : "expected a decimal (a JSON number within decimal range)";
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return $"expected a {type} (a JSON string)";
        }

        var text = value.GetString()!;
        if (text.Length == 0)
        {
            return "empty strings are not allowed in FHIR JSON";
        }

        return type switch
        {
            "string" or "markdown" => text.Trim().Length == 0 ? $"a {type} needs at least one non-whitespace character" : null,
            "code" => CodeRegex().IsMatch(text) ? null : "not a valid code (no leading, trailing or double whitespace)",
            "id" => IdRegex().IsMatch(text) ? null : "not a valid id (1-64 of A-Z, a-z, 0-9, '-', '.')",
            "uri" or "url" or "canonical" => UriRegex().IsMatch(text) ? null : $"not a valid {type} (no whitespace)",
            "oid" => OidRegex().IsMatch(text) ? null : "not a valid oid (urn:oid:...)",
            "uuid" => UuidRegex().IsMatch(text) ? null : "not a valid uuid (urn:uuid:, lower case)",
            "base64Binary" => Base64Regex().IsMatch(text) ? null : "not valid base64",
            "date" => DateRegex().IsMatch(text) && CalendarValid(text) ? null : "not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "dateTime" => DateTimeRegex().IsMatch(text) && CalendarValid(text) ? null : "not a valid dateTime (a date, or a date and time with a zone)",
            "instant" => InstantRegex().IsMatch(text) && CalendarValid(text) ? null : "not a valid instant (date and time to the second, with a zone)",
            "time" => TimeRegex().IsMatch(text) ? null : "not a valid time (hh:mm:ss)",
            "xhtml" => text.StartsWith("<div", StringComparison.Ordinal) && text.Contains("http://www.w3.org/1999/xhtml", StringComparison.Ordinal)
                ? null
                : "not a FHIR narrative (a <div> in the XHTML namespace)",
            _ => null,
        };
    }

    /// <summary>The regular expressions allow 31 February; the calendar does not.</summary>
    private static bool CalendarValid(string text)
    {
        if (text.Length < 10)
        {
            return true;
        }

        return DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
    }
}
