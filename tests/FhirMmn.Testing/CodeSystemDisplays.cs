using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;

namespace FhirMmn.Testing;

/// <summary>
/// The display of a code as its CodeSystem states it: the FhirMmn CodeSystems in profiles/generated, and the R4 core
/// ones in specification.zip (v2-0074, provenance-participant-type, ...). Systems defined outside both (LOINC, SNOMED
/// CT, UCUM) are not held here: <see cref="External"/> names them, and nothing else may go unchecked.
/// </summary>
public static class CodeSystemDisplays
{
    /// <summary>Code systems whose content FHIR does not publish, so no display can be checked offline.</summary>
    public static readonly IReadOnlySet<string> External = new HashSet<string>(StringComparer.Ordinal)
    {
        "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org",
    };

    private static readonly Lazy<Dictionary<string, Dictionary<string, string?>>> Local = new(LoadLocal);
    private static readonly Lazy<ZipSource> Core = new(() => new ZipSource(Path.Combine(AppContext.BaseDirectory, "specification.zip")));
    private static readonly ConcurrentDictionary<string, Dictionary<string, string?>?> CoreSystems = new(StringComparer.Ordinal);

    /// <summary>The concepts (code to display) of a code system, or null when neither source defines it.</summary>
    public static IReadOnlyDictionary<string, string?>? Concepts(string system)
    {
        if (Local.Value.TryGetValue(system, out var local))
        {
            return local;
        }

        return CoreSystems.GetOrAdd(system, s =>
        {
            lock (Core)
            {
                return Core.Value.ResolveByCanonicalUri(s) is CodeSystem { Content: CodeSystemContentMode.Complete } cs ? Flatten(cs.Concept) : null;
            }
        });
    }

    /// <summary>Every Coding in a FHIR JSON tree (objects with system and code that are not a Quantity), with its path.</summary>
    public static IEnumerable<(string Path, string System, string Code, string? Display)> CodingsIn(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject o:
                if (o["system"] is JsonValue system && o["code"] is JsonValue code && !o.ContainsKey("value") && !o.ContainsKey("unit"))
                {
                    yield return (path, system.GetValue<string>(), code.GetValue<string>(), o["display"]?.GetValue<string>());
                }

                foreach (var (name, child) in o)
                {
                    foreach (var found in CodingsIn(child, path.Length == 0 ? name : $"{path}.{name}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var found in CodingsIn(a[i], $"{path}[{i}]"))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    private static Dictionary<string, Dictionary<string, string?>> LoadLocal()
    {
        var systems = new Dictionary<string, Dictionary<string, string?>>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Repository.PathOf("profiles", "generated"), "CodeSystem-*.json"))
        {
            var cs = JsonNode.Parse(File.ReadAllText(file))!;
            var concepts = new Dictionary<string, string?>(StringComparer.Ordinal);
            Walk(cs["concept"] as JsonArray);
            systems[cs["url"]!.GetValue<string>()] = concepts;

            void Walk(JsonArray? list)
            {
                foreach (var c in list ?? [])
                {
                    concepts[c!["code"]!.GetValue<string>()] = c["display"]?.GetValue<string>();
                    Walk(c["concept"] as JsonArray);
                }
            }
        }

        return systems;
    }

    private static Dictionary<string, string?> Flatten(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var c in concepts)
        {
            all[c.Code ?? string.Empty] = c.Display;
            foreach (var (code, display) in Flatten(c.Concept))
            {
                all[code] = display;
            }
        }

        return all;
    }
}
