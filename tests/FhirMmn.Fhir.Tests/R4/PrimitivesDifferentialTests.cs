using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FhirMmn.Fhir.R4;

namespace FhirMmn.Fhir.Tests.R4;

/// <summary>
/// The byte-level fast path of <see cref="Primitives.Check"/> against the regular expressions it stands in
/// for (<see cref="Primitives.CheckByRegex"/>): the same answer, to the character, for every value.
/// </summary>
public sealed class PrimitivesDifferentialTests
{
    private const int RandomPerType = 20_000;

    /// <summary>The types the fast path handles.</summary>
    private static readonly string[] FastTypes =
        ["string", "markdown", "code", "id", "uri", "url", "canonical", "oid", "uuid", "date", "dateTime", "instant", "time"];

    /// <summary>Every primitive type, and one the switch does not know.</summary>
    private static readonly string[] AllTypes =
        [.. FastTypes, "base64Binary", "xhtml", "boolean", "integer", "positiveInt", "unsignedInt", "decimal", "integer64"];

    /// <summary>Writes as little escaped as JSON allows, so that ASCII text reaches the fast path.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] EdgeCases =
    [
        // Empty and white space.
        "", " ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u2003", "\u0085", "a", " a", "a ", "a  b", "a b", "a\tb", "a \tb", "a\n", "a\n\n", "\na",
        "a b\n", "a\r", " \n", "a\u00A0b", "\u00A0a", "a\u00A0", "a\u2003b", "\u007F", "a\u007Fb",

        // Non-ASCII, and characters the default encoder escapes.
        "é", "Patiënt", "ß", "日本", "😀", "a+b", "<div>", "a&b", "'", "\"", "\\", "a\\nb", "a/b",

        // Ids: lengths and characters.
        new string('a', 63), new string('a', 64), new string('a', 65), new string('Z', 64) + "\n", "a-b.c", "A_B", "a:b", "-", ".", "..", "a b",

        // Uris.
        "http://example.org/fhir", "urn:uuid:x", "http://a b", "http://a\tb", "mailto:x@y",

        // Oids.
        "urn:oid:1", "urn:oid:1.2", "urn:oid:0.0", "urn:oid:2.0.1", "urn:oid:3.1", "urn:oid:1.01", "urn:oid:1.10", "urn:oid:1.", "urn:oid:1..2",
        "urn:oid:1.2.", "URN:OID:1.2", "urn:oid:.1", "urn:oid:12.3", "urn:oid:1.2\n", "urn:oid:1.0.0.0", "urn:oid:1.00", "urn:oid:1.2 ",
        "urn:oid:1.٣",

        // Uuids.
        "urn:uuid:c757873d-ec9a-4326-a141-556f43239520", "urn:uuid:C757873D-EC9A-4326-A141-556F43239520", "URN:UUID:c757873d-ec9a-4326-a141-556f43239520",
        "urn:uuid:c757873d-ec9a-4326-a141-556f4323952", "urn:uuid:c757873d-ec9a-4326-a141-556f432395200", "urn:uuid:c757873dec9a-4326-a141-556f43239520-",
        "urn:uuid:g757873d-ec9a-4326-a141-556f43239520", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520\n", "urn:uuid:00000000-0000-0000-0000-000000000000",

        // Years.
        "0000", "0001", "0010", "0100", "1000", "9999", "2024", "000", "20240", "-2024", "+2024", "٢٠٢٤",

        // Months and days.
        "2024-00", "2024-01", "2024-09", "2024-10", "2024-12", "2024-13", "2024-1", "2024-001", "2024-01-00", "2024-01-01", "2024-01-09", "2024-01-10",
        "2024-01-19", "2024-01-20", "2024-01-29", "2024-01-30", "2024-01-31", "2024-01-32", "2024-01-40", "2024-04-30", "2024-04-31", "2024-06-31",
        "2024-02-28", "2024-02-29", "2024-02-30", "2023-02-29", "2000-02-29", "1900-02-29", "2100-02-29", "2400-02-29", "0004-02-29", "0001-02-29",
        "0000-01-01", "9999-12-31", "2024-1-01", "2024-01-1", "2024/01/01", "2024-01-01\n", "2024-02-30\n", "2024\n", "2024-01\n", " 2024", "2024 ",
        "2024-01-01 ", "2024-01-01T",

        // Times.
        "00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "23:59:61", "12:00", "12:00:0", "12:00:00.", "12:00:00.0", "12:00:00.123456789",
        "12:00:00.1.2", "12:00:00Z", "12:00:00+01:00", "1:00:00", "12:00:00\n", "12:00:00.5\n", "19:00:00", "20:00:00", "29:00:00", "12:5:00",

        // Date-times and instants.
        "2024-01-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:59:60Z", "2024-01-01T12:00:00.5Z",
        "2024-01-01T12:00:00.Z", "2024-01-01T12:00:00.123456789+02:00", "2024-01-01T12:00:00+14:00", "2024-01-01T12:00:00+14:01", "2024-01-01T12:00:00-14:00",
        "2024-01-01T12:00:00-14:30", "2024-01-01T12:00:00+13:59", "2024-01-01T12:00:00+13:60", "2024-01-01T12:00:00-00:00", "2024-01-01T12:00:00+00:00",
        "2024-01-01T12:00:00+15:00", "2024-01-01T12:00:00+1:00", "2024-01-01T12:00:00+0100", "2024-01-01T12:00:00z", "2024-01-01t12:00:00Z",
        "2024-01-01T12:00:00ZZ", "2024-01-01T12:00:00Z\n", "2024-01-01T12:00:00Z ", "2024-02-30T12:00:00Z", "2023-02-29T12:00:00Z", "2024-02-29T12:00:00Z",
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "2024-01-01 12:00:00Z", "2024-01-01T12:00:00+09:00", "2024-01-01T12:00:00+10:00",
        "2024-01-01T12:00:00+19:00", "2024-01-01T12:00:00+14:00\n", "2024-01-01T12:00:00.Z\n", "2024-01T12:00:00Z", "2024T12:00:00Z",

        // Base64 and XHTML (regular expressions only).
        "AAAA", "AAA=", "AA==", "AAA", " AAAA ", "AAAA\n", "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>", "<div>x</div>",
    ];

    public static TheoryData<string> Types() => new(AllTypes);

    [Fact]
    public void The_raw_value_of_a_string_keeps_its_quotes_and_its_escapes()
    {
        using var plain = JsonDocument.Parse("\"abc\"");
        using var escaped = JsonDocument.Parse("\"a\\u0020b\"");

        Assert.Equal("\"abc\""u8.ToArray(), JsonMarshal.GetRawUtf8Value(plain.RootElement).ToArray());
        Assert.Equal("\"a\\u0020b\""u8.ToArray(), JsonMarshal.GetRawUtf8Value(escaped.RootElement).ToArray());
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Edge_cases_get_the_same_answers(string type)
    {
        Assert.Empty(Mismatches(type, EdgeCases));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Values_written_with_explicit_escapes_get_the_same_answers(string type)
    {
        string[] json =
        [
            "\"\\u0020\"", "\"a\\u0020b\"", "\"a\\u0020\\u0020b\"", "\"\\u0061\"", "\"a\\\\nb\"", "\"a\\nb\"", "\"a\\n\"", "\"a\\t\"", "\"\\/\"",
            "\"2024\\u002D01-01\"", "\"2024-01-01\\n\"", "\"2024-01-01T12:00:00\\u002B01:00\"", "\"12:00:00\\n\"", "\"urn:oid:1.2\\n\"",
            "\"urn:uuid:c757873d-ec9a-4326-a141-556f43239520\\n\"", "\"\\u00A0\"", "\"a\\u00A0b\"", "\"\\\"\"", "\"\\u0041AAA\"", "\"AAAA\\n\"",
        ];

        var failures = new List<string>();
        foreach (var text in json)
        {
            using var document = JsonDocument.Parse(text);
            Compare(type, document.RootElement, text, failures);
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Other_json_kinds_get_the_same_messages(string type)
    {
        string[] json = ["0", "1", "-1", "1.5", "1e400", "2147483648", "79228162514264337593543950336", "true", "false", "null", "{}", "[]", "{\"a\":\"b\"}", "[\"a\"]"];

        var failures = new List<string>();
        foreach (var text in json)
        {
            using var document = JsonDocument.Parse(text);
            Compare(type, document.RootElement, text, failures);
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Other_json_kinds_keep_their_messages()
    {
        static string? Check(string type, string json)
        {
            using var document = JsonDocument.Parse(json);
            return Primitives.Check(type, document.RootElement);
        }

        Assert.Equal("expected a date (a JSON string)", Check("date", "20240101"));
        Assert.Equal("expected a code (a JSON string)", Check("code", "true"));
        Assert.Equal("expected a string (a JSON string)", Check("string", "{}"));
        Assert.Equal("expected true or false", Check("boolean", "\"true\""));
        Assert.Equal("expected an integer (a whole JSON number)", Check("integer", "1.5"));
        Assert.Equal("expected a positiveInt (1 or more)", Check("positiveInt", "0"));
        Assert.Equal("expected an unsignedInt (0 or more)", Check("unsignedInt", "-1"));
        Assert.Equal("expected a decimal (a JSON number within decimal range)", Check("decimal", "\"1\""));
        Assert.Equal("empty strings are not allowed in FHIR JSON", Check("id", "\"\""));
        Assert.Equal("not a valid id (1-64 of A-Z, a-z, 0-9, '-', '.')", Check("id", "\"a b\""));
        Assert.Equal("a markdown needs at least one non-whitespace character", Check("markdown", "\"  \""));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Random_values_get_the_same_answers(string type)
    {
        var random = new Random(HashCode(type));
        var values = Enumerable.Range(0, RandomPerType).Select(_ => RandomValue(type, random)).ToList();

        Assert.Empty(Mismatches(type, values));
    }

    [Fact]
    public void The_fast_path_decides_every_plain_ascii_value_it_handles()
    {
        // The fast path may only say "valid"; this checks that it says so whenever the regular expressions
        // do (else it would cost without saving) and never when they do not (else it would be wrong).
        var random = new Random(20261014);
        var failures = new List<string>();
        foreach (var type in FastTypes)
        {
            var values = EdgeCases.Concat(Enumerable.Range(0, RandomPerType).Select(_ => RandomValue(type, random)));
            foreach (var value in values.Where(IsPlainAscii))
            {
                var fast = Primitives.IsValidAscii(type, Encoding.ASCII.GetBytes(value));
                var regex = Primitives.CheckText(type, value) is null;
                if (fast != regex && failures.Count < 20)
                {
                    failures.Add($"{type} {JsonSerializer.Serialize(value)}: fast {fast}, regex {regex}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void The_calendar_agrees_for_every_year()
    {
        var failures = new List<string>();
        void Agree(string type, string value)
        {
            var fast = Primitives.IsValidAscii(type, Encoding.ASCII.GetBytes(value));
            var regex = Primitives.CheckText(type, value) is null;
            if (fast != regex && failures.Count < 20)
            {
                failures.Add($"{type} {value}: fast {fast}, regex {regex}");
            }
        }

        for (var year = 0; year <= 9999; year++)
        {
            foreach (var monthDay in new[] { "01-31", "02-28", "02-29", "02-30", "04-30", "04-31", "12-31", "13-01", "00-01" })
            {
                var date = $"{year:D4}-{monthDay}";
                Agree("date", date);
                Agree("dateTime", date);
                Agree("instant", date + "T00:00:00Z");
            }
        }

        foreach (var year in new[] { 1, 4, 100, 400, 1600, 1900, 2000, 2023, 2024, 2100, 9996, 9999 })
        {
            for (var month = 0; month <= 13; month++)
            {
                for (var day = 0; day <= 32; day++)
                {
                    var date = $"{year:D4}-{month:D2}-{day:D2}";
                    Agree("date", date);
                    Agree("dateTime", date + "T12:30:00+01:00");
                    Agree("instant", date + "T12:30:00.5-05:00");
                }
            }
        }

        Assert.Empty(failures);
    }

    /// <summary>Each value, written twice (escaped as little and as much as the serializer does), through both checks.</summary>
    private static List<string> Mismatches(string type, IEnumerable<string> values)
    {
        var failures = new List<string>();
        foreach (var value in values)
        {
            foreach (var json in new[] { JsonSerializer.Serialize(value, Relaxed), JsonSerializer.Serialize(value) })
            {
                using var document = JsonDocument.Parse(json);
                Compare(type, document.RootElement, json, failures);
            }
        }

        return failures;
    }

    private static void Compare(string type, JsonElement element, string json, List<string> failures)
    {
        var fast = Primitives.Check(type, element);
        var regex = Primitives.CheckByRegex(type, element);
        if (fast != regex && failures.Count < 20)
        {
            failures.Add($"{type} {json}: fast \"{fast}\", regex \"{regex}\"");
        }
    }

    private static bool IsPlainAscii(string value) => value.Length > 0 && value.All(c => c is >= ' ' and < '\u007F' and not '\\' and not '"');

    private static int HashCode(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));

    /// <summary>A value for <paramref name="type"/>: mostly near the pattern's boundaries, sometimes mutated, sometimes noise.</summary>
    private static string RandomValue(string type, Random random)
    {
        var roll = random.NextDouble();
        var value = roll < 0.7 ? Shaped(type, random) : roll < 0.9 ? Noise(random, random.Next(0, 12)) : EdgeCases[random.Next(EdgeCases.Length)];
        return random.NextDouble() < 0.35 ? Mutate(value, random) : value;
    }

    private static readonly string[] Tokens =
    [
        "0", "1", "2", "3", "5", "6", "9", "0", "1", "2", "00", "12", "13", "14", "23", "24", "29", "30", "31", "59", "60", "-", "-", ":", ":", "T", "Z",
        "+", ".", ".", " ", " ", "  ", "\t", "\n", "\r", "a", "f", "g", "x", "A", "F", "P", "z", "/", "_history", "http://", "urn:oid:", "urn:uuid:",
        "é", "\u00A0", "\u2003", "日", "\\", "\"", "=", "\u007F",
    ];

    private static string Noise(Random random, int tokens)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            builder.Append(Tokens[random.Next(Tokens.Length)]);
        }

        return builder.ToString();
    }

    private static string Mutate(string value, Random random)
    {
        var builder = new StringBuilder(value);
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            var token = Tokens[random.Next(Tokens.Length)];
            var at = random.Next(builder.Length + 1);
            switch (random.Next(4))
            {
                case 0:
                    builder.Insert(at, token);
                    break;
                case 1 when at < builder.Length:
                    builder.Remove(at, 1);
                    break;
                case 2 when at < builder.Length:
                    builder[at] = token[0];
                    break;
                default:
                    builder.Append(random.Next(3) == 0 ? "\n" : token);
                    break;
            }
        }

        return builder.ToString();
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    private static string Digits(Random random, int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + random.Next(10))));

    private static string Year(Random random) =>
        random.Next(3) == 0 ? Digits(random, 4) : Pick(random, "0000", "0001", "0004", "0010", "0100", "1000", "1900", "2000", "2023", "2024", "2100", "9999");

    private static string Month(Random random) =>
        random.Next(4) == 0 ? Digits(random, 2) : Pick(random, "00", "01", "02", "04", "06", "09", "10", "11", "12", "13", "20");

    private static string Day(Random random) =>
        random.Next(4) == 0 ? Digits(random, 2) : Pick(random, "00", "01", "09", "10", "19", "20", "28", "29", "30", "31", "32", "40");

    private static string Date(Random random) => random.Next(6) switch
    {
        0 => Year(random),
        1 => $"{Year(random)}-{Month(random)}",
        _ => $"{Year(random)}-{Month(random)}-{Day(random)}",
    };

    private static string TimeOfDay(Random random)
    {
        var hour = random.Next(4) == 0 ? Digits(random, 2) : Pick(random, "00", "09", "10", "19", "20", "23", "24", "29", "30");
        var minute = random.Next(4) == 0 ? Digits(random, 2) : Pick(random, "00", "30", "59", "60", "69");
        var second = random.Next(4) == 0 ? Digits(random, 2) : Pick(random, "00", "30", "59", "60", "61", "70");
        var fraction = random.Next(3) switch
        {
            0 => string.Empty,
            1 => "." + Digits(random, random.Next(0, 10)),
            _ => Pick(random, ".", ".5", "..5", ".5.5", ".a"),
        };
        return $"{hour}:{minute}:{second}{fraction}";
    }

    private static string Zone(Random random) => random.Next(5) switch
    {
        0 => Pick(random, "Z", "z", "", "ZZ", "+", "-"),
        1 => Pick(random, "+14:00", "-14:00", "+14:01", "-14:30", "+13:59", "+13:60", "-00:00", "+00:00", "+15:00", "+09:00", "+10:00", "+19:00"),
        _ => $"{Pick(random, "+", "-", "Z", " ")}{Digits(random, 2)}:{Digits(random, 2)}",
    };

    private static string Shaped(string type, Random random) => random.Next(2) == 0 && Valid(type, random) is { } valid ? valid : type switch
    {
        "date" => Date(random),
        "dateTime" => random.Next(3) == 0 ? Date(random) : $"{Date(random)}{Pick(random, "T", "T", "T", " ", "t")}{TimeOfDay(random)}{Zone(random)}",
        "instant" => $"{Year(random)}-{Month(random)}-{Day(random)}{Pick(random, "T", "T", "T", " ")}{TimeOfDay(random)}{Zone(random)}",
        "time" => random.Next(5) == 0 ? $"{TimeOfDay(random)}{Zone(random)}" : TimeOfDay(random),
        "oid" => $"{Pick(random, "urn:oid:", "urn:oid:", "urn:oid:", "URN:OID:", "urn:oid", "")}{Pick(random, "0", "1", "2", "3", "01", "")}"
            + string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => Pick(random, ".", ".", ".", "..", "") + Pick(random, "0", "00", "01", "1", "10", "123", Digits(random, 3), ""))),
        "uuid" => Pick(random, "urn:uuid:", "urn:uuid:", "URN:UUID:", "urn:uuid") + string.Join(
            Pick(random, "-", "-", "-", "", "_"),
            new[] { 8, 4, 4, 4, 12 }.Select(n => Hex(random, n + (random.Next(20) == 0 ? random.Next(-1, 2) : 0)))),
        "id" => Word(random, random.Next(20) == 0 ? random.Next(60, 70) : random.Next(0, 12), "AZaz09--..__  "),
        "base64Binary" => Word(random, random.Next(0, 14), "AZaz09++//==  \t\t\n\n"),
        "xhtml" => Pick(random, "<div xmlns=\"http://www.w3.org/1999/xhtml\">", "<div>", "<p>", "<div xmlns=\"http://www.w3.org/1999/xhtml") + Noise(random, 2),
        _ => Spaced(random),
    };

    /// <summary>A valid value of the date, time and identifier types, any part of it (for the mutations to start from); null for the others.</summary>
    private static string? Valid(string type, Random random)
    {
        var year = random.Next(1, 10000);
        var month = random.Next(1, 13);
        var date = $"{year:D4}-{month:D2}-{random.Next(1, DateTime.DaysInMonth(year, month) + 1):D2}";
        var fraction = random.Next(3) == 0 ? "." + Digits(random, random.Next(1, 10)) : string.Empty;
        var time = $"{random.Next(24):D2}:{random.Next(60):D2}:{random.Next(61):D2}{fraction}";
        var zoneHour = random.Next(15);
        var zone = random.Next(4) == 0 ? "Z" : $"{Pick(random, "+", "-")}{zoneHour:D2}:{(zoneHour == 14 ? 0 : random.Next(60)):D2}";
        return type switch
        {
            "date" => date[..Pick(random, 4, 7, 10, 10)],
            "dateTime" => random.Next(4) == 0 ? date[..Pick(random, 4, 7, 10)] : $"{date}T{time}{zone}",
            "instant" => $"{date}T{time}{zone}",
            "time" => time,
            "oid" => $"urn:oid:{random.Next(3)}" + string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => "." + (random.Next(4) == 0 ? 0 : random.Next(1, 100_000)).ToString(CultureInfo.InvariantCulture))),
            "uuid" => $"urn:uuid:{Hex(random, 8)}-{Hex(random, 4)}-{Hex(random, 4)}-{Hex(random, 4)}-{Hex(random, 12)}",
            _ => null,
        };
    }

    /// <summary>Words of a few letters with white space around and between them: code, string, uri.</summary>
    private static string Spaced(Random random)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(0, 5); i > 0; i--)
        {
            builder.Append(Pick(random, "", "", "", "", " ", " ", "  ", "\t", "\n", "\u00A0", "\r\n"));
            builder.Append(Pick(random, "a", "final", "http://x/y", "é", "Patient/1", "x-y", "", "123", "\u007F"));
        }

        if (random.Next(3) == 0)
        {
            builder.Append(Pick(random, " ", "\n", "\t", "\u00A0"));
        }

        return builder.ToString();
    }

    private static string Hex(Random random, int count) =>
        string.Concat(Enumerable.Range(0, Math.Max(0, count)).Select(_ => random.Next(40) == 0 ? Pick(random, "A", "g", "F", " ") : "0123456789abcdef"[random.Next(16)].ToString()));

    /// <summary>A word of characters from the ranges in <paramref name="ranges"/>, given as pairs like "AZ" (a single character as "--").</summary>
    private static string Word(Random random, int length, string ranges)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var pair = random.Next(ranges.Length / 2) * 2;
            builder.Append((char)random.Next(ranges[pair], ranges[pair + 1] + 1));
        }

        return builder.ToString();
    }
}
