using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.R4;

/// <summary>
/// Checks FHIR JSON against the R4 structure (<see cref="R4Schema"/>): known element names, JSON kinds,
/// arrays exactly where elements repeat, cardinality, one value per choice group, primitive formats,
/// primitive extensions ("_element"), no nulls, no empty objects, arrays or strings. Every problem is
/// reported with its FHIRPath-style location; none repeats a value from the input.
/// </summary>
/// <remarks>
/// The JSON's text must have passed <see cref="JsonText.Check"/> (valid UTF-8, escapes that name Unicode scalar
/// values): System.Text.Json decodes names and strings only on demand, and throws on anything else.
/// The location is kept in one buffer, extended on the way down and cut back on the way up, and turned
/// into a string only when a problem is reported: valid input (the common case) builds no paths.
/// </remarks>
internal sealed class R4StructureValidator
{
    /// <summary>Issues beyond this many are summarised in one last issue.</summary>
    public const int MaxIssues = 100;

    private readonly R4Schema schema = R4Schema.Instance;
    private readonly List<FhirIssue> issues = [];
    private readonly StringBuilder path = new(128);
    private int suppressed;

    private R4StructureValidator()
    {
    }

    /// <summary>Validates a resource; <paramref name="expectedType"/> (e.g. "Bundle") is enforced when given.</summary>
    public static IReadOnlyList<FhirIssue> Validate(JsonElement resource, string? expectedType = null)
    {
        var validator = new R4StructureValidator();
        validator.path.Append(expectedType
            ?? (resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String
                ? Safe(t.GetString()!)
                : "Resource"));
        validator.Resource(resource, expectedType);
        if (validator.suppressed > 0)
        {
            validator.issues.Add(FhirIssue.Error(IssueCodes.Structure, $"{validator.suppressed} more structural issue(s) not listed."));
        }

        return validator.issues;
    }

    private void Report(string code, string message, string? child = null)
    {
        if (issues.Count >= MaxIssues)
        {
            suppressed++;
            return;
        }

        var location = child is null ? path.ToString() : $"{path}.{child}";
        issues.Add(FhirIssue.Error(code, $"{message}.", location));
    }

    private int Enter(ReadOnlySpan<char> name)
    {
        var length = path.Length;
        path.Append('.').Append(name);
        return length;
    }

    private int EnterIndex(int index)
    {
        var length = path.Length;
        path.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        return length;
    }

    private void Leave(int length) => path.Length = length;

    private void Resource(JsonElement json, string? expectedType)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Report(IssueCodes.Structure, "Expected a resource (a JSON object)");
            return;
        }

        if (!json.TryGetProperty("resourceType", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            Report(IssueCodes.Required, "A resource needs a resourceType (a JSON string)");
            return;
        }

        var type = typeElement.GetString()!;
        if (!schema.ResourceTypes.Contains(type))
        {
            Report(IssueCodes.NotSupported, "Not an R4 resource type", "resourceType");
            return;
        }

        if (expectedType is not null && type != expectedType)
        {
            Report(IssueCodes.Invalid, $"Expected a {expectedType}", "resourceType");
            return;
        }

        Complex(json, schema.Types[type], isResource: true);
    }

    private void Complex(JsonElement json, TypeDefinition definition, bool isResource = false)
    {
        var typeName = definition.Name;
        if (json.ValueKind != JsonValueKind.Object)
        {
            Report(IssueCodes.Structure, $"Expected an object ({typeName})");
            return;
        }

        // Which elements (first half) and primitive extensions (second half) are present, and which choice groups.
        var count = definition.Ordered.Count;
        Span<ulong> seen = stackalloc ulong[((2 * count) + 63) / 64];
        Span<ulong> chosen = stackalloc ulong[(definition.ChoiceNames.Count + 63) / 64];
        HashSet<string>? others = null;
        var present = 0;
        var sawResourceType = false;
        Span<char> buffer = stackalloc char[MaxFastName];
        foreach (var property in json.EnumerateObject())
        {
            present++;
            var name = NameOf(property, buffer);
            ElementDefinition? element;
            var extension = name.Length > 1 && name[0] == '_';
            if (isResource && name.SequenceEqual("resourceType"))
            {
                if (sawResourceType)
                {
                    Report(IssueCodes.Structure, "Element appears twice in one object", "resourceType");
                }

                sawResourceType = true;
                continue;
            }

            if (!definition.ElementsByName.TryGetValue(extension ? name[1..] : name, out element)
                || (extension && !element.IsPrimitive))
            {
                // Not an element of the type (an error): names are kept only here, to tell a repeated one.
                var text = name.ToString();
                if (!(others ??= new HashSet<string>(StringComparer.Ordinal)).Add(text))
                {
                    Report(IssueCodes.Structure, "Element appears twice in one object", Safe(text));
                    continue;
                }

                Report(IssueCodes.Structure, extension ? "Unknown element (no primitive element of that name)" : $"Unknown element for {typeName}", Safe(text));
                continue;
            }

            var bit = extension ? count + element.Index : element.Index;
            if (!Mark(seen, bit))
            {
                Report(IssueCodes.Structure, "Element appears twice in one object", Safe(extension ? element.ExtensionName : element.Name));
                continue;
            }

            if (extension)
            {
                PrimitiveExtension(element, property.Value);
                continue;
            }

            if (element.ChoiceIndex >= 0 && !Mark(chosen, element.ChoiceIndex))
            {
                Report(IssueCodes.Structure, $"Only one {element.Choice}[x] is allowed", element.Name);
                continue;
            }

            var at = Enter(name);
            Element(property.Value, element, json);
            Leave(at);
        }

        if (present == 0)
        {
            Report(IssueCodes.Structure, "Empty objects are not allowed in FHIR JSON");
            return;
        }

        foreach (var element in definition.Required)
        {
            if (!IsMarked(seen, element.Index) && !IsMarked(seen, count + element.Index))
            {
                var name = element.Name;
                Report(IssueCodes.Required, $"{typeName}.{name} is required", name);
            }
        }

        foreach (var (choice, index) in definition.RequiredChoices)
        {
            if (!IsMarked(chosen, index))
            {
                Report(IssueCodes.Required, $"{typeName}.{choice}[x] is required", choice + "[x]");
            }
        }
    }

    /// <summary>Names up to this long are read into a stack buffer; longer ones (never valid) become strings.</summary>
    private const int MaxFastName = 64;

    /// <summary>
    /// A property's name without allocating when it is short, plain ASCII and unescaped (every valid FHIR name);
    /// anything else is decoded the ordinary way.
    /// </summary>
    private static ReadOnlySpan<char> NameOf(JsonProperty property, Span<char> buffer)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.Length > buffer.Length)
        {
            return property.Name;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b >= 0x80 || b == (byte)'\\')
            {
                return property.Name;
            }

            buffer[i] = (char)b;
        }

        return buffer[..raw.Length];
    }

    private static bool Mark(Span<ulong> bits, int index)
    {
        ref var word = ref bits[index >> 6];
        var mask = 1UL << (index & 63);
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
    }

    private static bool IsMarked(Span<ulong> bits, int index) => (bits[index >> 6] & (1UL << (index & 63))) != 0;

    private void Element(JsonElement value, ElementDefinition element, JsonElement owner)
    {
        if (!element.Repeats)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                Report(IssueCodes.Structure, "Expected a single value, not an array");
                return;
            }

            Single(value, element);
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Report(IssueCodes.Structure, "Expected an array: this element repeats");
            return;
        }

        var count = value.GetArrayLength();
        if (count == 0)
        {
            Report(IssueCodes.Structure, "Empty arrays are not allowed in FHIR JSON");
            return;
        }

        if (element.Max > 0 && count > element.Max)
        {
            Report(IssueCodes.Structure, $"At most {element.Max} allowed");
        }

        var nullsAllowed = element.IsPrimitive && owner.TryGetProperty(element.ExtensionName, out _);
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var at = EnterIndex(i++);
            if (!(item.ValueKind == JsonValueKind.Null && nullsAllowed))
            {
                Single(item, element);
            }

            Leave(at);
        }
    }

    private void Single(JsonElement value, ElementDefinition element)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            Report(IssueCodes.Structure, "null is not allowed in FHIR JSON");
            return;
        }

        if (element.IsPrimitive)
        {
            if (Primitives.Check(element.Type, value) is { } problem)
            {
                Report(IssueCodes.Value, char.ToUpperInvariant(problem[0]) + problem[1..]);
            }

            return;
        }

        if (element.TypeDefinition is { } definition)
        {
            Complex(value, definition);
            return;
        }

        // Resource or DomainResource: any resource, checked as its own type.
        Resource(value, null);
    }

    private void PrimitiveExtension(ElementDefinition element, JsonElement value)
    {
        var at = Enter(element.ExtensionName);
        if (!element.Repeats)
        {
            ElementOnly(value);
        }
        else if (value.ValueKind != JsonValueKind.Array)
        {
            Report(IssueCodes.Structure, "Expected an array: this element repeats");
        }
        else
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemAt = EnterIndex(i++);
                if (item.ValueKind != JsonValueKind.Null)
                {
                    ElementOnly(item);
                }

                Leave(itemAt);
            }
        }

        Leave(at);
    }

    /// <summary>The extension part of a primitive ("_element"): an Element (id and extensions).</summary>
    private void ElementOnly(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            Report(IssueCodes.Structure, "null is not allowed in FHIR JSON");
            return;
        }

        Complex(value, schema.Types["Element"]);
    }

    /// <summary>Element names go into locations; odd ones are cut and masked so nothing else can travel in them.</summary>
    private static string Safe(string name)
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
