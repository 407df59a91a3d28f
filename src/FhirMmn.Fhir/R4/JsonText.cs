using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.R4;

/// <summary>What is wrong with the text of a FHIR JSON body, and where.</summary>
internal enum TextFault
{
    None,

    /// <summary>A byte that is not part of a well-formed UTF-8 sequence (RFC 8259 section 8.1: JSON is UTF-8).</summary>
    NotUtf8,

    /// <summary>A surrogate escape (\uD800-\uDFFF) that is not a high one followed directly by a low one.</summary>
    UnpairedSurrogate,

    /// <summary>A control character other than tab, line feed and carriage return.</summary>
    ControlCharacter,
}

/// <summary>
/// The text rules of FHIR JSON, decided once for the whole body, before anything decodes a string of it:
/// <list type="bullet">
/// <item>R4 JSON is UTF-8: every byte belongs to a well-formed UTF-8 sequence (no overlong forms, no encoded
/// surrogates, nothing above U+10FFFF). A leading UTF-8 byte order mark is ignored, as RFC 8259 allows a parser to
/// and as FHIR servers do; a body in UTF-16 or UTF-32 is refused as such.</item>
/// <item>FHIR strings are Unicode text: an escape names a Unicode scalar value, so a surrogate escape is only valid as
/// a high one directly followed by a low one (an escaped pair such as \uD83D\uDE00 is a valid character).</item>
/// <item>No control character but tab, line feed and carriage return, in any string: R4 says strings should not hold
/// them, the independent R4 validator refuses them in string and markdown, XML (the other FHIR format, and the
/// narrative) cannot carry them at all, and in a code, id or URI they can only be a mistake or an attack.</item>
/// </list>
/// System.Text.Json parses such bodies without complaint and throws only when a string is decoded, wherever that
/// happens: so they are refused here, and everything after (structure check, binding, extraction, a consumer reading
/// the stored body again) may decode every string.
/// </summary>
internal static class JsonText
{
    private static readonly SearchValues<byte> Escapes = SearchValues.Create("\\"u8);

    /// <summary>The UTF-8 byte order mark.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The body without a leading UTF-8 byte order mark.</summary>
    public static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(ByteOrderMark) ? body[ByteOrderMark.Length..] : body;

    /// <summary>
    /// True when the body is evidently UTF-16 or UTF-32 (its byte order mark, or a NUL among its first two bytes, which
    /// no UTF-8 JSON text has), so that it can be refused for what it is rather than as bytes that make no JSON.
    /// </summary>
    public static bool LooksLikeUtf16OrUtf32(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && (body[0] == 0 || body[1] == 0 || (body[0] == 0xFE && body[1] == 0xFF) || (body[0] == 0xFF && body[1] == 0xFE));

    /// <summary>The first fault in the text of a body that parsed as JSON, and its byte offset; (None, -1) when there is none.</summary>
    public static (TextFault Fault, int Offset) Check(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            // Whichever comes first, so that everything before the fault decodes.
            var invalid = FirstInvalidUtf8(json);
            var escape = FirstBadEscape(json[..invalid]);
            return escape.Fault != TextFault.None ? escape : (TextFault.NotUtf8, invalid);
        }

        return json.ContainsAny(Escapes) ? FirstBadEscape(json) : (TextFault.None, -1);
    }

    /// <summary>The issue that reports <paramref name="fault"/>, located by its JSON path (never the bytes themselves).</summary>
    public static FhirIssue Issue(TextFault fault, ReadOnlySpan<byte> json, int offset, string root)
    {
        var where = PathAt(json, offset, root);
        var message = fault switch
        {
            TextFault.NotUtf8 => "The body is not valid UTF-8 here (a byte that is not part of a well-formed UTF-8 sequence); FHIR JSON is UTF-8.",
            TextFault.UnpairedSurrogate => "Not valid Unicode text: a surrogate escape (\\uD800-\\uDFFF) that is not a high surrogate followed by a low one.",
            _ => "Not allowed in FHIR text: a control character other than tab, line feed or carriage return.",
        };
        return FhirIssue.Error(IssueCodes.Invalid, message, where);
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> json)
    {
        var i = 0;
        while (i < json.Length)
        {
            var ascii = json[i..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (ascii < 0)
            {
                break;
            }

            i += ascii;
            if (Rune.DecodeFromUtf8(json[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return json.Length;
    }

    /// <summary>
    /// Walks the escapes of a body that parsed as JSON. Outside strings a backslash is not JSON, and inside one every
    /// backslash starts an escape, so stepping from one escape to the next backslash visits exactly the escapes.
    /// </summary>
    private static (TextFault Fault, int Offset) FirstBadEscape(ReadOnlySpan<byte> json)
    {
        var i = json.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < json.Length)
        {
            var start = i;
            var kind = json[i + 1];
            if (kind == 'u')
            {
                // The parser has checked that four hex digits follow.
                var unit = Hex4(json, i + 2);
                i += 6;
                if (char.IsHighSurrogate(unit))
                {
                    if (i + 6 > json.Length || json[i] != '\\' || json[i + 1] != 'u' || !char.IsLowSurrogate(Hex4(json, i + 2)))
                    {
                        return (TextFault.UnpairedSurrogate, start);
                    }

                    i += 6;
                }
                else if (char.IsLowSurrogate(unit))
                {
                    return (TextFault.UnpairedSurrogate, start);
                }
                else if (unit < 0x20 && unit is not ('\t' or '\n' or '\r'))
                {
                    return (TextFault.ControlCharacter, start);
                }
            }
            else
            {
                if (kind is (byte)'b' or (byte)'f')
                {
                    return (TextFault.ControlCharacter, start);
                }

                i += 2;
            }

            var next = json[i..].IndexOf((byte)'\\');
            i = next < 0 ? -1 : i + next;
        }

        return (TextFault.None, -1);
    }

    private static char Hex4(ReadOnlySpan<byte> json, int at)
    {
        var value = 0;
        for (var k = 0; k < 4; k++)
        {
            var b = json[at + k];
            var digit = b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
            value = (value << 4) | digit;
        }

        return (char)value;
    }

    /// <summary>
    /// The FHIRPath-style location (Bundle.entry[2].resource.code.text) of the value or name that holds the byte at
    /// <paramref name="offset"/>: the document is read again up to there, which only a refused body pays for. Names
    /// before the fault are sound and read as they are; the faulty name itself is masked.
    /// </summary>
    private static string PathAt(ReadOnlySpan<byte> json, int offset, string root)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var segments = new List<string>();
        var containers = new Stack<(bool IsArray, int Next)>();
        var name = string.Empty;
        try
        {
            while (reader.Read())
            {
                var holds = reader.BytesConsumed > offset;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = holds ? Mask(reader.ValueSpan) : Mask(reader.GetString()!);
                        if (holds)
                        {
                            return root + string.Concat(segments) + "." + name;
                        }

                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        segments.Add(Segment(containers, name));
                        containers.Push((reader.TokenType == JsonTokenType.StartArray, 0));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        containers.Pop();
                        segments.RemoveAt(segments.Count - 1);
                        Advance(containers);
                        break;
                    default:
                        if (holds)
                        {
                            return root + string.Concat(segments) + Segment(containers, name);
                        }

                        Advance(containers);
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Only a body that parsed, with nothing faulty before the offset, comes here; should the reader still
            // stop, the location stays at the root rather than the refusal becoming an error.
        }

        return root;
    }

    private static string Segment(Stack<(bool IsArray, int Next)> containers, string name) =>
        containers.Count == 0 ? string.Empty
        : containers.Peek().IsArray ? "[" + containers.Peek().Next.ToString(CultureInfo.InvariantCulture) + "]"
        : "." + name;

    private static void Advance(Stack<(bool IsArray, int Next)> containers)
    {
        if (containers.Count > 0 && containers.Peek().IsArray)
        {
            var top = containers.Pop();
            containers.Push((true, top.Next + 1));
        }
    }

    /// <summary>Element names go into locations cut and masked, as the structure check does, so that nothing else travels in them.</summary>
    private static string Mask(ReadOnlySpan<byte> raw)
    {
        var span = raw.Length > 64 ? raw[..64] : raw;
        return string.Create(span.Length, span.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = (char)source[i];
                chars[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '?';
            }
        });
    }

    private static string Mask(string name)
    {
        var span = name.Length > 64 ? name[..64] : name;
        return string.Create(span.Length, span, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                chars[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '?';
            }
        });
    }
}
