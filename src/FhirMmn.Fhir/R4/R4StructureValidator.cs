using System.Text.Json;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.R4;

/// <summary>
/// Checks FHIR JSON against the R4 structure (<see cref="R4Schema"/>): known element names, JSON kinds,
/// arrays exactly where elements repeat, cardinality, one value per choice group, primitive formats,
/// primitive extensions ("_element"), no nulls, no empty objects, arrays or strings. Every problem is
/// reported with its FHIRPath-style location; none repeats a value from the input.
/// </summary>
internal sealed class R4StructureValidator
{
    /// <summary>Issues beyond this many are summarised in one last issue.</summary>
    public const int MaxIssues = 100;

    private readonly R4Schema schema = R4Schema.Instance;
    private readonly List<FhirIssue> issues = [];
    private int suppressed;

    private R4StructureValidator()
    {
    }

    /// <summary>Validates a resource; <paramref name="expectedType"/> (e.g. "Bundle") is enforced when given.</summary>
    public static IReadOnlyList<FhirIssue> Validate(JsonElement resource, string? expectedType = null)
    {
        var validator = new R4StructureValidator();
        var root = expectedType
            ?? (resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String
                ? Safe(t.GetString()!)
                : "Resource");
        validator.Resource(resource, root, expectedType);
        if (validator.suppressed > 0)
        {
            validator.issues.Add(FhirIssue.Error(IssueCodes.Structure,
                $"{validator.suppressed} more structural issue(s) not listed."));
        }

        return validator.issues;
    }

    private void Report(string code, string path, string message)
    {
        if (issues.Count >= MaxIssues)
        {
            suppressed++;
            return;
        }

        issues.Add(FhirIssue.Error(code, $"{message}.", path));
    }

    private void Resource(JsonElement json, string path, string? expectedType)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Report(IssueCodes.Structure, path, "Expected a resource (a JSON object)");
            return;
        }

        if (!json.TryGetProperty("resourceType", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            Report(IssueCodes.Required, path, "A resource needs a resourceType (a JSON string)");
            return;
        }

        var type = typeElement.GetString()!;
        if (!schema.ResourceTypes.Contains(type))
        {
            Report(IssueCodes.NotSupported, path + ".resourceType", "Not an R4 resource type");
            return;
        }

        if (expectedType is not null && type != expectedType)
        {
            Report(IssueCodes.Invalid, path + ".resourceType", $"Expected a {expectedType}");
            return;
        }

        Complex(json, type, path, isResource: true);
    }

    private void Complex(JsonElement json, string typeName, string path, bool isResource = false)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            Report(IssueCodes.Structure, path, $"Expected an object ({typeName})");
            return;
        }

        var definition = schema.Types[typeName];
        HashSet<string>? seen = null;
        HashSet<string>? chosen = null;
        var empty = true;
        foreach (var property in json.EnumerateObject())
        {
            empty = false;
            var name = property.Name;
            if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
            {
                Report(IssueCodes.Structure, $"{path}.{Safe(name)}", "Element appears twice in one object");
                continue;
            }

            if (isResource && name == "resourceType")
            {
                continue;
            }

            if (name.Length > 1 && name[0] == '_')
            {
                PrimitiveExtension(definition, name, property.Value, path);
                continue;
            }

            if (!definition.Elements.TryGetValue(name, out var element))
            {
                Report(IssueCodes.Structure, $"{path}.{Safe(name)}", $"Unknown element for {typeName}");
                continue;
            }

            if (element.Choice is not null)
            {
                if (!(chosen ??= new HashSet<string>(StringComparer.Ordinal)).Add(element.Choice))
                {
                    Report(IssueCodes.Structure, $"{path}.{name}", $"Only one {element.Choice}[x] is allowed");
                    continue;
                }
            }

            Element(property.Value, element, $"{path}.{name}", json.TryGetProperty("_" + name, out _));
        }

        if (empty)
        {
            Report(IssueCodes.Structure, path, "Empty objects are not allowed in FHIR JSON");
            return;
        }

        foreach (var (name, element) in definition.Required)
        {
            if (!json.TryGetProperty(name, out _) && !json.TryGetProperty("_" + name, out _))
            {
                Report(IssueCodes.Required, $"{path}.{name}", $"{typeName}.{name} is required");
            }
        }

        foreach (var (choice, min) in definition.Choices)
        {
            if (min > 0 && chosen?.Contains(choice) != true)
            {
                Report(IssueCodes.Required, $"{path}.{choice}[x]", $"{typeName}.{choice}[x] is required");
            }
        }
    }

    private void Element(JsonElement value, ElementDefinition element, string path, bool hasPrimitiveExtension)
    {
        if (element.Repeats)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                Report(IssueCodes.Structure, path, "Expected an array: this element repeats");
                return;
            }

            if (value.GetArrayLength() == 0)
            {
                Report(IssueCodes.Structure, path, "Empty arrays are not allowed in FHIR JSON");
                return;
            }

            if (element.Max > 0 && value.GetArrayLength() > element.Max)
            {
                Report(IssueCodes.Structure, path, $"At most {element.Max} allowed");
            }

            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemPath = $"{path}[{i++}]";
                if (item.ValueKind == JsonValueKind.Null && hasPrimitiveExtension && schema.Primitives.Contains(element.Type))
                {
                    continue;
                }

                Single(item, element.Type, itemPath);
            }

            return;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            Report(IssueCodes.Structure, path, "Expected a single value, not an array");
            return;
        }

        Single(value, element.Type, path);
    }

    private void Single(JsonElement value, string type, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            Report(IssueCodes.Structure, path, "null is not allowed in FHIR JSON");
            return;
        }

        if (schema.Primitives.Contains(type))
        {
            if (Primitives.Check(type, value) is { } problem)
            {
                Report(IssueCodes.Value, path, Capitalise(problem));
            }

            return;
        }

        if (type is "Resource" or "DomainResource")
        {
            Resource(value, path, null);
            return;
        }

        Complex(value, type, path);
    }

    private void PrimitiveExtension(TypeDefinition definition, string name, JsonElement value, string path)
    {
        var baseName = name[1..];
        var location = $"{path}.{Safe(name)}";
        if (!definition.Elements.TryGetValue(baseName, out var element) || !schema.Primitives.Contains(element.Type))
        {
            Report(IssueCodes.Structure, location, "Unknown element (no primitive element of that name)");
            return;
        }

        if (!element.Repeats)
        {
            Single(value, "Element", location);
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Report(IssueCodes.Structure, location, "Expected an array: this element repeats");
            return;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Null)
            {
                Single(item, "Element", $"{location}[{i}]");
            }

            i++;
        }
    }

    private static string Capitalise(string text) => char.ToUpperInvariant(text[0]) + text[1..];

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
