using System.Text;
using System.Text.Json;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Fhir.R4;

namespace FhirMmn.Fhir.Tests.R4;

/// <summary>
/// Bad bytes are bad requests: invalid UTF-8, unpaired surrogate escapes and control characters are refused (400)
/// with their location, before anything decodes them; valid Unicode in any of its spellings is read.
/// </summary>
public sealed class TextTests
{
    private const string Display = "Compound muscle action potential amplitude Muscle";
    private const string DisplayPath = "Bundle.entry[1].resource.code.coding[0].display";

    /// <summary>The definite example, with the first coding display of its first result replaced by these raw bytes.</summary>
    private static byte[] WithDisplay(params byte[] raw)
    {
        var text = Feeds.Text(Feeds.Definite);
        var at = text.IndexOf(Display, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. raw, .. Encoding.UTF8.GetBytes(text[(at + Display.Length)..])];
    }

    private static byte[] WithDisplay(string jsonStringContent) => WithDisplay(Encoding.UTF8.GetBytes(jsonStringContent));

    private static FhirIssue SingleError(FeedReadResult result) => Assert.Single(result.Issues, i => i.IsError);

    public static TheoryData<string, byte[]> InvalidUtf8 => new()
    {
        { "a byte that never occurs (FF)", [(byte)'x', 0xFF] },
        { "a byte that never occurs (F5)", [0xF5, 0x80, 0x80, 0x80] },
        { "a lone continuation byte", [(byte)'x', 0x80, (byte)'y'] },
        { "a truncated two-byte sequence", [(byte)'x', 0xC3] },
        { "a truncated three-byte sequence", [0xE2, 0x82] },
        { "an overlong slash (C0 AF)", [0xC0, 0xAF] },
        { "an overlong three-byte form (E0 80 AF)", [0xE0, 0x80, 0xAF] },
        { "an overlong four-byte form (F0 80 80 AF)", [0xF0, 0x80, 0x80, 0xAF] },
        { "an encoded high surrogate (ED A0 80)", [0xED, 0xA0, 0x80] },
        { "an encoded low surrogate (ED B0 80)", [0xED, 0xB0, 0x80] },
        { "above U+10FFFF (F4 90 80 80)", [0xF4, 0x90, 0x80, 0x80] },
        { "Latin-1 text (e9)", [(byte)'P', (byte)'a', (byte)'t', (byte)'i', 0xEB, (byte)'n', (byte)'t'] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_in_a_string_is_refused_as_not_json_at_its_location(string why, byte[] raw)
    {
        var result = FeedReader.Read(WithDisplay(raw));

        Assert.True(result.Refusal == FeedRefusal.NotJson, why);
        var issue = SingleError(result);
        Assert.Equal((IssueCodes.Invalid, DisplayPath), (issue.Code, issue.Expression));
        Assert.Contains("UTF-8", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\ud800", "a lone high surrogate")]
    [InlineData("\\uDBFF", "a lone high surrogate, upper case")]
    [InlineData("\\udc00", "a lone low surrogate")]
    [InlineData("x\\ud800", "a high surrogate at the end of the string")]
    [InlineData("\\ud800x", "a high surrogate followed by a plain character")]
    [InlineData("\\ud800\\u0041", "a high surrogate followed by an escape that is not a surrogate")]
    [InlineData("\\ud800\\n", "a high surrogate followed by another kind of escape")]
    [InlineData("\\ud800\\ud800", "two high surrogates")]
    [InlineData("\\ude00\\ud83d", "a pair in the wrong order")]
    [InlineData("\\\\\\ud800", "an escaped backslash, then a lone surrogate")]
    public void An_unpaired_surrogate_escape_is_refused_at_its_location(string content, string why)
    {
        var result = FeedReader.Read(WithDisplay(content));

        Assert.True(result.Refusal == FeedRefusal.InvalidBundle, why);
        var issue = SingleError(result);
        Assert.Equal((IssueCodes.Invalid, DisplayPath), (issue.Code, issue.Expression));
        Assert.Contains("surrogate", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("a\\u0000b")]
    [InlineData("\\u0001")]
    [InlineData("\\u001f")]
    [InlineData("\\u001F")]
    [InlineData("\\b")]
    [InlineData("\\f")]
    [InlineData("\\u000b")]
    public void A_control_character_other_than_tab_and_line_breaks_is_refused(string content)
    {
        var result = FeedReader.Read(WithDisplay(content));

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        var issue = SingleError(result);
        Assert.Equal(DisplayPath, issue.Expression);
        Assert.Contains("control character", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\ud83d\\ude00", "an escaped surrogate pair (an emoji)")]
    [InlineData("\\uD83D\\uDE00", "an escaped surrogate pair in upper case")]
    [InlineData("\\udbff\\udfff", "the last code point, escaped")]
    [InlineData("😀 Patiënt 日本", "raw UTF-8 of one to four bytes")]
    [InlineData("\\u00e9\\u20ac", "escaped characters of the basic plane")]
    [InlineData("a\\tb\\nc\\rd", "tab, line feed and carriage return")]
    [InlineData("a\\u0009\\u000a\\u000db", "tab, line feed and carriage return as \\u escapes")]
    [InlineData("\\u007f\\u0085\\u009f", "DEL and C1 controls (not C0)")]
    [InlineData("a\uFEFFb", "a byte order mark inside a string (ZERO WIDTH NO-BREAK SPACE)")]
    [InlineData("\\uFFFE\\uFFFF", "noncharacters (valid Unicode scalar values)")]
    [InlineData("\\\\ud800", "an escaped backslash before text that only looks like an escape")]
    [InlineData("\\\"\\/\\\\", "the other escapes")]
    public void Valid_unicode_in_any_spelling_is_read(string content, string why)
    {
        var result = FeedReader.Read(WithDisplay(content));

        Assert.True(result.Accepted, why + ": " + string.Join("; ", result.Issues.Select(i => i.Message)));
    }

    [Fact]
    public void A_refusal_never_quotes_the_bad_bytes_or_the_text_around_them()
    {
        const string secret = "MRN-SECRET-77";
        foreach (var body in new[] { WithDisplay([.. Encoding.UTF8.GetBytes(secret), 0xFF]), WithDisplay(secret + "\\ud800" + secret), WithDisplay(secret + "\\u0000") })
        {
            var outcome = FhirJson.Serialize(FeedReader.Read(body).ToOperationOutcome());

            Assert.Contains("error", outcome, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, outcome, StringComparison.Ordinal);
            Assert.DoesNotContain("\uFFFD", outcome, StringComparison.Ordinal);
            Assert.DoesNotContain("\\uFFFD", outcome, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Bad_text_in_an_element_name_is_refused_at_the_name_masked()
    {
        var text = Feeds.Text(Feeds.Definite);
        var at = text.IndexOf("\"status\"", StringComparison.Ordinal);
        byte[] Named(params byte[] name) => [.. Encoding.UTF8.GetBytes(text[..at]), (byte)'"', .. name, (byte)'"', .. Encoding.UTF8.GetBytes(text[(at + 8)..])];

        var surrogate = FeedReader.Read(Named("st\\ud800tus"u8.ToArray()));
        var notUtf8 = FeedReader.Read(Named([(byte)'s', 0xFF]));

        Assert.Equal((FeedRefusal.InvalidBundle, "Bundle.entry[1].resource.st?ud800tus"), (surrogate.Refusal, SingleError(surrogate).Expression));
        Assert.Equal((FeedRefusal.NotJson, "Bundle.entry[1].resource.s?"), (notUtf8.Refusal, SingleError(notUtf8).Expression));
    }

    [Fact]
    public void The_first_fault_is_the_one_reported_whichever_kind()
    {
        // The first result's display faulty one way, the last result's display the other way.
        var text = Feeds.Text(Feeds.Definite);
        var first = text.IndexOf(Display, StringComparison.Ordinal);
        var last = text.LastIndexOf(Display, StringComparison.Ordinal);
        byte[] Body(byte[] atFirst, byte[] atLast) =>
            [.. Encoding.UTF8.GetBytes(text[..first]), .. atFirst, .. Encoding.UTF8.GetBytes(text[(first + Display.Length)..last]), .. atLast,
             .. Encoding.UTF8.GetBytes(text[(last + Display.Length)..])];

        var utf8First = FeedReader.Read(Body([0xFF], "\\ud800"u8.ToArray()));
        var escapeFirst = FeedReader.Read(Body("\\udc00"u8.ToArray(), [0xFF]));

        Assert.Equal((FeedRefusal.NotJson, DisplayPath), (utf8First.Refusal, SingleError(utf8First).Expression));
        Assert.Equal((FeedRefusal.InvalidBundle, DisplayPath), (escapeFirst.Refusal, SingleError(escapeFirst).Expression));
    }

    [Fact]
    public void The_location_counts_array_items_and_nested_objects()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(3)["component"]![1]!["code"]!["coding"]![0]!["display"] = "MARKER";
        var text = Feeds.Serialize(bundle).Replace("MARKER", "\\udc00", StringComparison.Ordinal);

        var result = Feeds.Read(text);

        Assert.Equal("Bundle.entry[3].resource.component[1].code.coding[0].display", SingleError(result).Expression);
    }

    [Fact]
    public void Bad_text_in_an_element_the_contract_ignores_is_refused_all_the_same()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle["entry"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject
        {
            ["fullUrl"] = "https://ehr.example.org/fhir/Practitioner/pr1",
            ["resource"] = new System.Text.Json.Nodes.JsonObject
            {
                ["resourceType"] = "Practitioner",
                ["id"] = "pr1",
                ["name"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["text"] = "MARKER" }),
            },
        });
        var text = Feeds.Serialize(bundle).Replace("MARKER", "Dr \\ud800", StringComparison.Ordinal);

        var result = Feeds.Read(text);

        Assert.Equal("Bundle.entry[16].resource.name[0].text", SingleError(result).Expression);
    }

    [Fact]
    public void A_leading_utf8_byte_order_mark_is_ignored_and_a_second_is_not_json()
    {
        var plain = Encoding.UTF8.GetBytes(Feeds.Text(Feeds.Definite));

        byte[] once = [.. JsonText.ByteOrderMark, .. plain];
        byte[] twice = [.. JsonText.ByteOrderMark, .. JsonText.ByteOrderMark, .. plain];

        Assert.Equal(FeedReader.Read(plain).Accepted().Observations, FeedReader.Read(once).Accepted().Observations);
        Assert.Equal(FeedRefusal.NotJson, FeedReader.Read(twice).Refusal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_body_in_utf16_or_utf32_is_refused_as_not_utf8(int encoding)
    {
        var text = Feeds.Text(Feeds.Definite);
        var enc = new[] { Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF32 }[encoding];

        foreach (var body in new byte[][] { enc.GetBytes(text), [.. enc.GetPreamble(), .. enc.GetBytes(text)] })
        {
            var result = FeedReader.Read(body);

            Assert.Equal(FeedRefusal.NotJson, result.Refusal);
            Assert.Contains("not UTF-8", SingleError(result).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(" {}")]
    [InlineData("{}")]
    [InlineData("\u0000")]
    [InlineData("\n\u0000")]
    public void Trailing_bytes_after_the_bundle_are_not_json_but_trailing_white_space_is_fine(string trailer)
    {
        var text = Feeds.Text(Feeds.Definite).TrimEnd();

        Assert.Equal(FeedRefusal.NotJson, Feeds.Read(text + trailer).Refusal);
        Assert.True(Feeds.Read(text + " \r\n\t ").Accepted);
    }

    [Fact]
    public void A_duplicate_key_is_refused_also_when_one_of_the_two_is_escaped()
    {
        var text = Feeds.Text(Feeds.Definite);
        var at = text.IndexOf("\"status\": \"final\"", StringComparison.Ordinal);

        var plain = Feeds.Read(text.Insert(at, "\"status\": \"final\", "));
        var escaped = Feeds.Read(text.Insert(at, "\"st\\u0061tus\": \"final\", "));

        foreach (var result in new[] { plain, escaped })
        {
            Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
            Assert.Equal("Bundle.entry[1].resource.status", SingleError(result).Expression);
        }
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("79228162514264337593543950336")]
    public void A_number_beyond_decimal_range_is_refused_at_its_location(string number)
    {
        var text = Feeds.Text(Feeds.Definite);
        var at = text.IndexOf("\"value\": ", StringComparison.Ordinal) + 9;
        var end = text.IndexOfAny([',', '\n', '}'], at);

        var result = Feeds.Read(text[..at] + number + text[end..]);

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        Assert.EndsWith(".valueQuantity.value", SingleError(result).Expression, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_of_a_hundred_thousand_digits_is_refused_quickly()
    {
        var text = Feeds.Text(Feeds.Definite);
        var at = text.IndexOf("\"value\": ", StringComparison.Ordinal) + 9;
        var end = text.IndexOfAny([',', '\n', '}'], at);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = Feeds.Read(text[..at] + "1" + new string('0', 100_000) + text[end..]);

        Assert.Equal(FeedRefusal.InvalidBundle, result.Refusal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed}");
    }

    [Theory]
    [InlineData(63, true)]
    [InlineData(64, false)]
    public void Nesting_is_read_up_to_64_levels(int depth, bool parses)
    {
        // The bundle object is level 1; the rest nest in an extension value's arrays (unknown, so refused as structure).
        var text = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"x\":" + new string('[', depth) + new string(']', depth) + "}";

        var result = Feeds.Read(text);

        Assert.Equal(parses ? FeedRefusal.InvalidBundle : FeedRefusal.NotJson, result.Refusal);
    }

    [Fact]
    public void A_string_of_one_mebicharacter_is_a_string_and_one_more_is_refused()
    {
        var at = new string('a', Primitives.MaxStringLength);
        var over = at + "a";

        Assert.True(FeedReader.Read(WithDisplay(at)).Accepted);
        var result = FeedReader.Read(WithDisplay(over));
        Assert.Equal((FeedRefusal.InvalidBundle, DisplayPath), (result.Refusal, SingleError(result).Expression));
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(over));
        Assert.Equal(Primitives.CheckByRegex("string", document.RootElement), Primitives.Check("string", document.RootElement));
    }

    /// <summary>
    /// Random short byte sequences (ASCII, lead and continuation bytes, surrogate and control escapes) as a string's
    /// content: the reader accepts exactly what the framework's strict decoder can turn into allowed text, and never
    /// throws. The oracle is independent of the reader's own checks: System.Text.Json's decoding of the string.
    /// </summary>
    [Fact]
    public void The_text_rules_agree_with_the_strict_decoder_on_random_sequences()
    {
        var random = new Random(4711);
        string[] escapes = ["\\ud83d", "\\ude00", "\\ud800", "\\udfff", "\\u0041", "\\u0000", "\\u001f", "\\u0009", "\\n", "\\b", "\\\\", "\\\"", "\\u00e9"];
        byte[] bytes = [(byte)'a', (byte)' ', 0x80, 0xBF, 0xC2, 0xC0, 0xE0, 0xED, 0xA0, 0xF0, 0xF4, 0x90, 0xFF, 0xA9, 0x9F];
        string[] whole = ["a", "é", "€", "😀", "\\ud83d\\ude00", "\\t"];
        var disagreements = new List<string>();
        var acceptedCount = 0;
        for (var n = 0; n < 3000; n++)
        {
            var content = new List<byte> { (byte)'x' }; // never only white space, which a string may not be
            for (var k = random.Next(1, 6); k > 0; k--)
            {
                content.AddRange(random.Next(4) switch
                {
                    0 => Encoding.ASCII.GetBytes(escapes[random.Next(escapes.Length)]),
                    1 => [bytes[random.Next(bytes.Length)]],
                    _ => Encoding.UTF8.GetBytes(whole[random.Next(whole.Length)]),
                });
            }

            var raw = content.ToArray();
            var expected = Decodes(raw);
            var result = FeedReader.Read(WithDisplay(raw));
            var accepted = result.Accepted;
            acceptedCount += accepted ? 1 : 0;
            if (accepted != expected)
            {
                disagreements.Add($"{Convert.ToHexString(raw)}: decoder {expected}, reader {accepted}");
            }
        }

        Assert.Empty(disagreements);
        Assert.InRange(acceptedCount, 300, 2700); // both answers are well represented
    }

    /// <summary>Whether the strict decoder reads the JSON string content as text, and that text has no forbidden control character.</summary>
    private static bool Decodes(byte[] raw)
    {
        try
        {
            var reader = new Utf8JsonReader([(byte)'"', .. raw, (byte)'"']);
            reader.Read();
            var text = reader.GetString()!;
            return !text.Any(c => c < 0x20 && c is not ('\t' or '\n' or '\r'));
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void Damaged_text_anywhere_never_throws(string example)
    {
        var original = Encoding.UTF8.GetBytes(Feeds.Text(example));
        var random = new Random(example.Length);
        byte[][] inserts = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], "\\ud800"u8.ToArray(), "\\u0000"u8.ToArray(), "\\udc00\\ud800"u8.ToArray(), [0xEF, 0xBB, 0xBF]];
        for (var n = 0; n < 200; n++)
        {
            var at = random.Next(original.Length);
            byte[] body = [.. original.AsSpan(0, at), .. inserts[random.Next(inserts.Length)], .. original.AsSpan(at)];

            var result = FeedReader.Read(body);

            Assert.True(result.Accepted || result.Issues.Any(i => i.IsError));
        }
    }

    public static TheoryData<string> ExampleNames() => new(Feeds.AllExamples());
}
