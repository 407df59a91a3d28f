using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FhirMmn.Fhir.R4;

/// <summary>The R4 primitive types: their JSON kinds and the formats the specification gives for them.</summary>
internal static partial class Primitives
{
    /// <summary>R4: "strings SHALL NOT exceed 1MB (1024*1024 characters) in size" (string and markdown).</summary>
    public const int MaxStringLength = 1024 * 1024;

    private const string Year = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
    private const string Month = "(0[1-9]|1[0-2])";
    private const string Day = "(0[1-9]|[1-2][0-9]|3[0-1])";
    private const string Time = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";
    private const string Zone = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";

    /// <summary>
    /// Bytes that keep a JSON string off the fast path: the backslash of an escape, anything non-ASCII,
    /// and the control characters and DEL (JSON has no control characters unescaped; they are here so
    /// that the fast path never meets a line feed, which <c>$</c> treats specially).
    /// </summary>
    private static readonly SearchValues<byte> NotPlain =
        SearchValues.Create([.. Enumerable.Range(0, 256).Where(b => b < 0x20 || b == '\\' || b >= 0x7F).Select(b => (byte)b)]);

    [GeneratedRegex("^" + Year + "(-" + Month + "(-" + Day + ")?)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateRegex();

    [GeneratedRegex("^" + Year + "(-" + Month + "(-" + Day + "(T" + Time + Zone + ")?)?)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex("^" + Year + "-" + Month + "-" + Day + "T" + Time + Zone + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstantRegex();

    [GeneratedRegex("^" + Time + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex TimeRegex();

    [GeneratedRegex(@"^[^\s]+(\s[^\s]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex CodeRegex();

    [GeneratedRegex(@"^[A-Za-z0-9\-\.]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex(@"^\S+\z", RegexOptions.CultureInvariant)]
    private static partial Regex UriRegex();

    [GeneratedRegex(@"^urn:oid:[0-2](\.(0|[1-9][0-9]*))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex OidRegex();

    [GeneratedRegex("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UuidRegex();


    /// <summary>Checks a JSON value against a primitive type; returns what is wrong, or null.</summary>
    public static string? Check(string type, JsonElement value) => Check(type, value, fastPath: true);

    /// <summary>
    /// <see cref="Check(string, JsonElement)"/> without the fast path: every string goes through
    /// <see cref="CheckText"/> and the regular expressions. The differential tests compare the two.
    /// </summary>
    internal static string? CheckByRegex(string type, JsonElement value) => Check(type, value, fastPath: false);

    private static string? Check(string type, JsonElement value, bool fastPath)
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

        // The fast path only ever says "valid"; an invalid value, or one it does not handle, takes the
        // regular expressions below, so the messages come from one place.
        if (fastPath && IsValidAscii(type, PlainAscii(value)))
        {
            return null;
        }

        return CheckText(type, value.GetString()!);
    }

    /// <summary>Checks the text of a JSON string against a primitive type with the regular expressions; returns what is wrong, or null.</summary>
    internal static string? CheckText(string type, string text)
    {
        if (text.Length == 0)
        {
            return "empty strings are not allowed in FHIR JSON";
        }

        return type switch
        {
            "string" or "markdown" when text.Length > MaxStringLength => $"a {type} may hold at most {MaxStringLength} characters",
            "string" or "markdown" => text.Trim().Length == 0 ? $"a {type} needs at least one non-whitespace character" : null,
            "code" => CodeRegex().IsMatch(text) ? null : "not a valid code (no leading, trailing or double whitespace)",
            "id" => IdRegex().IsMatch(text) ? null : "not a valid id (1-64 of A-Z, a-z, 0-9, '-', '.')",
            "uri" or "url" or "canonical" => UriRegex().IsMatch(text) ? null : $"not a valid {type} (no whitespace)",
            "oid" => OidRegex().IsMatch(text) ? null : "not a valid oid (urn:oid:...)",
            "uuid" => UuidRegex().IsMatch(text) ? null : "not a valid uuid (urn:uuid:, lower case)",
            "base64Binary" => IsBase64(text) ? null : "not valid base64",
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

    /// <summary>
    /// base64Binary as R4 gives it, (\s*([0-9a-zA-Z\+/=]){4}\s*)+, checked in one pass: whitespace only between
    /// groups of four, so every run of other characters is a whole number of groups. (As a backtracking regular
    /// expression that pattern took seconds for a hundred characters, and hours for a few more.)
    /// </summary>
    internal static bool IsBase64(string text)
    {
        var run = 0;
        var groups = 0;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (run % 4 != 0)
                {
                    return false;
                }

                run = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')
            {
                run++;
                groups += run % 4 == 0 ? 1 : 0;
            }
            else
            {
                return false;
            }
        }

        return run % 4 == 0 && groups > 0;
    }

    /// <summary>
    /// The UTF-8 text of a JSON string when it is printable ASCII without escapes (so the bytes are
    /// the characters), without allocating; otherwise empty.
    /// </summary>
    private static ReadOnlySpan<byte> PlainAscii(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length < 2)
        {
            return default;
        }

        var text = raw[1..^1]; // the raw value of a string keeps its quotes
        return text.ContainsAny(NotPlain) ? default : text;
    }

    /// <summary>
    /// The fast path: true when <paramref name="text"/> (printable ASCII, no backslash) is certainly
    /// valid for <paramref name="type"/>, with exactly the answer <see cref="CheckText"/> gives; false
    /// when it is empty, invalid, or of a type left to the regular expressions (base64Binary, xhtml).
    /// </summary>
    internal static bool IsValidAscii(string type, ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        return type switch
        {
            "string" or "markdown" => text.Length <= MaxStringLength && text.IndexOfAnyExcept((byte)' ') >= 0,
            "code" => IsAsciiCode(text),
            "id" => text.Length <= 64 && IsIdChars(text),
            "uri" or "url" or "canonical" => !text.Contains((byte)' '),
            "oid" => IsAsciiOid(text),
            "uuid" => IsAsciiUuid(text),
            "date" => IsAsciiDate(text),
            "dateTime" => IsAsciiDateTime(text),
            "instant" => text.Length > 10 && IsAsciiDate(text[..10]) && text[10] == 'T' && IsAsciiTimeAndZone(text[11..], zone: true),
            "time" => IsAsciiTimeAndZone(text, zone: false),
            _ => false,
        };
    }

    /// <summary><c>^[^\s]+(\s[^\s]+)*$</c>: no leading, trailing or double space.</summary>
    private static bool IsAsciiCode(ReadOnlySpan<byte> text)
    {
        if (text[0] == ' ' || text[^1] == ' ')
        {
            return false;
        }

        return text.IndexOf("  "u8) < 0;
    }

    /// <summary><c>[A-Za-z0-9\-\.]</c>, every byte.</summary>
    private static bool IsIdChars(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == '-' || b == '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$</c>.</summary>
    private static bool IsAsciiOid(ReadOnlySpan<byte> text)
    {
        if (!text.StartsWith("urn:oid:"u8) || text.Length < 10 || (uint)(text[8] - '0') > 2)
        {
            return false;
        }

        var i = 9;
        do
        {
            // Each arc: a dot, then 0 alone or digits without a leading zero.
            if (i + 1 >= text.Length || text[i] != '.' || !IsDigit(text[i + 1]))
            {
                return false;
            }

            i += 2;
            if (text[i - 1] != '0')
            {
                while (i < text.Length && IsDigit(text[i]))
                {
                    i++;
                }
            }
        }
        while (i < text.Length);

        return true;
    }

    /// <summary><c>^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$</c>.</summary>
    private static bool IsAsciiUuid(ReadOnlySpan<byte> text)
    {
        if (text.Length != 45 || !text.StartsWith("urn:uuid:"u8))
        {
            return false;
        }

        for (var i = 9; i < 45; i++)
        {
            var ok = i is 17 or 22 or 27 or 32 ? text[i] == '-' : IsDigit(text[i]) || (uint)(text[i] - 'a') <= 'f' - 'a';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The date regular expression and the calendar: YYYY, YYYY-MM or YYYY-MM-DD, year 0000 refused.</summary>
    private static bool IsAsciiDate(ReadOnlySpan<byte> text)
    {
        if (text.Length is not (4 or 7 or 10) || !IsYear(text, out var year))
        {
            return false;
        }

        if (text.Length == 4)
        {
            return true;
        }

        if (text[4] != '-' || !TwoDigits(text, 5, out var month) || month is < 1 or > 12)
        {
            return false;
        }

        if (text.Length == 7)
        {
            return true;
        }

        // The day pattern is 01-31; the calendar narrows it to the month's length.
        return text[7] == '-' && TwoDigits(text, 8, out var day) && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>A date, or a full date, T, a time and a zone.</summary>
    private static bool IsAsciiDateTime(ReadOnlySpan<byte> text) =>
        text.Length <= 10
            ? IsAsciiDate(text)
            : IsAsciiDate(text[..10]) && text[10] == 'T' && IsAsciiTimeAndZone(text[11..], zone: true);

    /// <summary>
    /// <c>([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?</c>, then, when <paramref name="zone"/>,
    /// <c>(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))</c>, then the end.
    /// </summary>
    private static bool IsAsciiTimeAndZone(ReadOnlySpan<byte> text, bool zone)
    {
        if (text.Length < 8
            || !TwoDigits(text, 0, out var hour) || hour > 23
            || text[2] != ':' || !TwoDigits(text, 3, out var minute) || minute > 59
            || text[5] != ':' || !TwoDigits(text, 6, out var second) || second > 60)
        {
            return false;
        }

        var i = 8;
        if (i < text.Length && text[i] == '.')
        {
            var digits = text[(i + 1)..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            digits = digits < 0 ? text.Length - i - 1 : digits;
            if (digits == 0)
            {
                return false;
            }

            i += 1 + digits;
        }

        var rest = text[i..];
        if (!zone)
        {
            return rest.IsEmpty;
        }

        if (rest.Length == 1)
        {
            return rest[0] == 'Z';
        }

        return rest.Length == 6
            && rest[0] is (byte)'+' or (byte)'-'
            && TwoDigits(rest, 1, out var zoneHour)
            && rest[3] == ':'
            && TwoDigits(rest, 4, out var zoneMinute)
            && (zoneHour <= 13 ? zoneMinute <= 59 : zoneHour == 14 && zoneMinute == 0);
    }

    /// <summary>Four digits, not 0000.</summary>
    private static bool IsYear(ReadOnlySpan<byte> text, out int year)
    {
        year = 0;
        if (!TwoDigits(text, 0, out var century) || !TwoDigits(text, 2, out var rest))
        {
            return false;
        }

        year = (century * 100) + rest;
        return year != 0;
    }

    /// <summary>Two ASCII digits at <paramref name="index"/>, as a number.</summary>
    private static bool TwoDigits(ReadOnlySpan<byte> text, int index, out int value)
    {
        value = 0;
        if (!IsDigit(text[index]) || !IsDigit(text[index + 1]))
        {
            return false;
        }

        value = ((text[index] - '0') * 10) + (text[index + 1] - '0');
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

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
