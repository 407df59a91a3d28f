using System.Globalization;
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
    private readonly List<HashSet<string>> namesByDepth = [];
    private int depth;
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

    private int Enter(string name)
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

        Complex(json, type, isResource: true);
    }

    private void Complex(JsonElement json, string typeName, bool isResource = false)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Report(IssueCodes.Structure, $"Expected an object ({typeName})");
            return;
        }

        var definition = schema.Types[typeName];
        var names = Names();
        HashSet<string>? chosen = null;
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (!names.Add(name))
            {
                Report(IssueCodes.Structure, "Element appears twice in one object", Safe(name));
                continue;
            }

            if (isResource && name == "resourceType")
            {
                continue;
            }

            if (name.Length > 1 && name[0] == '_')
            {
                PrimitiveExtension(definition, name, property.Value);
                continue;
            }

            if (!definition.Elements.TryGetValue(name, out var element))
            {
                Report(IssueCodes.Structure, $"Unknown element for {typeName}", Safe(name));
                continue;
            }

            if (element.Choice is not null && !(chosen ??= new HashSet<string>(StringComparer.Ordinal)).Add(element.Choice))
            {
                Report(IssueCodes.Structure, $"Only one {element.Choice}[x] is allowed", name);
                continue;
            }

            var at = Enter(name);
            Element(property.Value, element, json, name);
            Leave(at);
        }

        if (names.Count == 0)
        {
            depth--;
            Report(IssueCodes.Structure, "Empty objects are not allowed in FHIR JSON");
            return;
        }

        foreach (var (name, _) in definition.Required)
        {
            if (!names.Contains(name) && !names.Contains("_" + name))
            {
                Report(IssueCodes.Required, $"{typeName}.{name} is required", name);
            }
        }

        foreach (var (choice, min) in definition.Choices)
        {
            if (min > 0 && chosen?.Contains(choice) != true)
            {
                Report(IssueCodes.Required, $"{typeName}.{choice}[x] is required", choice + "[x]");
            }
        }

        depth--;
    }

    /// <summary>A cleared set of names for the object at the current depth, reused across objects.</summary>
    private HashSet<string> Names()
    {
        if (namesByDepth.Count == depth)
        {
            namesByDepth.Add(new HashSet<string>(StringComparer.Ordinal));
        }

        var names = namesByDepth[depth++];
        names.Clear();
        return names;
    }

    private void Element(JsonElement value, ElementDefinition element, JsonElement owner, string name)
    {
        if (!element.Repeats)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                Report(IssueCodes.Structure, "Expected a single value, not an array");
                return;
            }

            Single(value, element.Type);
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

        var primitive = schema.Primitives.Contains(element.Type);
        var nullsAllowed = primitive && owner.TryGetProperty("_" + name, out _);
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var at = EnterIndex(i++);
            if (!(item.ValueKind == JsonValueKind.Null && nullsAllowed))
            {
                Single(item, element.Type);
            }

            Leave(at);
        }
    }

    private void Single(JsonElement value, string type)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            Report(IssueCodes.Structure, "null is not allowed in FHIR JSON");
            return;
        }

        if (schema.Primitives.Contains(type))
        {
            if (Primitives.Check(type, value) is { } problem)
            {
                Report(IssueCodes.Value, char.ToUpperInvariant(problem[0]) + problem[1..]);
            }

            return;
        }

        if (type is "Resource" or "DomainResource")
        {
            Resource(value, null);
            return;
        }

        Complex(value, type);
    }

    private void PrimitiveExtension(TypeDefinition definition, string name, JsonElement value)
    {
        var baseName = name[1..];
        if (!definition.Elements.TryGetValue(baseName, out var element) || !schema.Primitives.Contains(element.Type))
        {
            Report(IssueCodes.Structure, "Unknown element (no primitive element of that name)", Safe(name));
            return;
        }

        var at = Enter(name);
        if (!element.Repeats)
        {
            Single(value, "Element");
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
                    Single(item, "Element");
                }

                Leave(itemAt);
            }
        }

        Leave(at);
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
