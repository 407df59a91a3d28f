using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using Hl7.Fhir.Model;

namespace FhirMmn.Fhir.CodeMaps;

/// <summary>
/// A feed's code maps: R4 ConceptMaps from the hospital's local codes to the contract's, read with Firely's model. A
/// group applies where its target system is the one the contract wants: Observation.code (LOINC, mmn-clinical,
/// mmn-lab, ncs), bodySite (nerve), component.code (ncs), the stimulation-site component's value (stimulation-site),
/// the laterality component's value and coded values (SNOMED CT), interpretation (v3 ObservationInterpretation), and
/// the units of quantities (UCUM; a group without a source maps the spelling of quantities that have no system). Only
/// mappings whose equivalence is equal or equivalent are applied.
/// </summary>
public sealed class CodeMap
{
    /// <summary>The key of codes without a system (units spelt without one).</summary>
    private const string NoSystem = "";

    /// <summary>(target system, source system) to code to the mapping; a null target means "no equal or equivalent mapping".</summary>
    private readonly Dictionary<(string Target, string Source), Dictionary<string, (string Code, string? Display)?>> groups = [];

    private CodeMap(IReadOnlyList<string> canonicals) => Canonicals = canonicals;

    /// <summary>url|version of each ConceptMap, in the order the feed names them: recorded in each assessment's Provenance.</summary>
    public IReadOnlyList<string> Canonicals { get; }

    /// <summary>An empty map: bundles go to the contract check as they are.</summary>
    public static CodeMap None { get; } = new([]);

    public bool IsEmpty => Canonicals.Count == 0;

    /// <summary>
    /// Reads ConceptMaps (R4 JSON). Faults say which file and what is wrong, never a code or Firely's own message (it
    /// quotes values). Each ConceptMap needs url and version (they are recorded in the Provenance).
    /// </summary>
    public static CodeMap Load(IEnumerable<(string Name, byte[] Json)> conceptMaps, out List<string> faults)
    {
        ArgumentNullException.ThrowIfNull(conceptMaps);
        faults = [];
        var canonicals = new List<string>();
        var parsed = new List<ConceptMap>();
        foreach (var (name, json) in conceptMaps)
        {
            if (!FhirJson.TryParse(json, out var resource) || resource is not ConceptMap map)
            {
                faults.Add($"{name} is not an R4 ConceptMap in JSON");
                continue;
            }

            if (string.IsNullOrEmpty(map.Url) || string.IsNullOrEmpty(map.Version))
            {
                faults.Add($"{name} must have a url and a version (they are recorded in the Provenance of each assessment)");
                continue;
            }

            canonicals.Add($"{map.Url}|{map.Version}");
            parsed.Add(map);
        }

        var result = new CodeMap(canonicals);
        foreach (var map in parsed)
        {
            foreach (var group in map.Group)
            {
                if (string.IsNullOrEmpty(group.Target))
                {
                    faults.Add($"ConceptMap {map.Url}: every group must name its target system");
                    continue;
                }

                var key = (group.Target, group.Source ?? NoSystem);
                if (!result.groups.TryGetValue(key, out var codes))
                {
                    result.groups[key] = codes = new Dictionary<string, (string, string?)?>(StringComparer.Ordinal);
                }

                foreach (var element in group.Element)
                {
                    if (string.IsNullOrEmpty(element.Code))
                    {
                        continue;
                    }

                    var target = element.Target.FirstOrDefault(t => t.Equivalence is ConceptMapEquivalence.Equal or ConceptMapEquivalence.Equivalent && !string.IsNullOrEmpty(t.Code));
                    if (codes.TryGetValue(element.Code, out var existing) && existing is not null && target is not null && existing.Value.Code != target.Code)
                    {
                        faults.Add($"ConceptMap {map.Url}: a code of the system {group.Source} maps to two different codes of {group.Target}");
                        continue;
                    }

                    if (!codes.ContainsKey(element.Code) || target is not null)
                    {
                        codes[element.Code] = target is null ? null : (target.Code!, target.Display);
                    }
                }
            }
        }

        return faults.Count == 0 ? result : None;
    }

    /// <summary>
    /// Maps the Observations of a structurally valid bundle; the issues name the element path and the code system of
    /// each code that cannot be mapped (never the code or a value). Null issues and the same element: nothing changed.
    /// </summary>
    public (JsonNode? Mapped, List<FhirIssue> Issues) Apply(JsonElement bundle)
    {
        var issues = new List<FhirIssue>();
        if (IsEmpty)
        {
            return (null, issues);
        }

        var root = JsonNode.Parse(bundle.GetRawText())!;
        var changed = false;
        if (root["entry"] is JsonArray entries)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i]?["resource"] is JsonObject resource && (string?)resource["resourceType"] == "Observation")
                {
                    changed |= MapObservation(resource, $"Bundle.entry[{i}].resource", issues);
                }
            }
        }

        return (changed ? root : null, issues);
    }

    private bool MapObservation(JsonObject observation, string path, List<FhirIssue> issues)
    {
        var changed = Concept(observation["code"], $"{path}.code", [Terminology.Loinc, Contract.MmnClinical, Contract.MmnLab, Contract.Ncs], issues);
        changed |= Concept(observation["bodySite"], $"{path}.bodySite", [Contract.Nerve], issues);
        changed |= Concept(observation["valueCodeableConcept"], $"{path}.valueCodeableConcept", [Terminology.Snomed], issues);
        changed |= Quantity(observation["valueQuantity"], $"{path}.valueQuantity", issues);
        if (observation["interpretation"] is JsonArray interpretations)
        {
            for (var i = 0; i < interpretations.Count; i++)
            {
                changed |= Concept(interpretations[i], $"{path}.interpretation[{i}]", [Terminology.ObservationInterpretation], issues);
            }
        }

        if (observation["referenceRange"] is JsonArray ranges)
        {
            for (var i = 0; i < ranges.Count; i++)
            {
                changed |= Quantity(ranges[i]?["low"], $"{path}.referenceRange[{i}].low", issues);
                changed |= Quantity(ranges[i]?["high"], $"{path}.referenceRange[{i}].high", issues);
            }
        }

        if (observation["component"] is JsonArray components)
        {
            for (var i = 0; i < components.Count; i++)
            {
                var component = components[i];
                var at = $"{path}.component[{i}]";
                changed |= Concept(component?["code"], $"{at}.code", [Contract.Ncs], issues);
                var kind = ContractCode(component?["code"], Contract.Ncs);
                changed |= Concept(component?["valueCodeableConcept"], $"{at}.valueCodeableConcept",
                    [kind == ContractCodes.StimulationSiteComponent ? Contract.StimulationSite : Terminology.Snomed], issues);
                changed |= Quantity(component?["valueQuantity"], $"{at}.valueQuantity", issues);
            }
        }

        return changed;
    }

    /// <summary>
    /// Maps the codings of a CodeableConcept that holds none of the contract's systems for it: each coding of a system
    /// the maps map from is replaced by its contract coding; one without an equal or equivalent mapping is an issue.
    /// Codings of systems the maps do not name stay for the contract check.
    /// </summary>
    private bool Concept(JsonNode? concept, string path, string[] targets, List<FhirIssue> issues)
    {
        if (concept?["coding"] is not JsonArray codings || codings.Any(c => c?["system"] is JsonValue s && targets.Contains((string?)s, StringComparer.Ordinal)))
        {
            return false;
        }

        var changed = false;
        for (var i = 0; i < codings.Count; i++)
        {
            if (codings[i] is not JsonObject coding || (string?)coding["system"] is not { } system || (string?)coding["code"] is not { } code)
            {
                continue;
            }

            // Every group from this system to a system the element takes; the first that maps the code wins.
            var candidates = targets.Select(t => (Target: t, Codes: groups.GetValueOrDefault((t, system)))).Where(g => g.Codes is not null).ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            var (target, mapped) = candidates.Select(g => (g.Target, Mapped: g.Codes!.GetValueOrDefault(code))).FirstOrDefault(g => g.Mapped is not null);
            if (mapped is null)
            {
                issues.Add(FhirIssue.Error(IssueCodes.CodeInvalid,
                    $"The feed's code maps have no equal or equivalent mapping for this code of the system {system} to {string.Join(" or ", candidates.Select(g => g.Target))}; add one to the feed's ConceptMap.",
                    $"{path}.coding[{i}]"));
                continue;
            }

            var replacement = new JsonObject { ["system"] = target, ["code"] = mapped.Value.Code };
            if (mapped.Value.Display is { } display)
            {
                replacement["display"] = display;
            }

            codings[i] = replacement;
            changed = true;
        }

        return changed;
    }

    /// <summary>A quantity's unit to UCUM: by its system and code, or, without a system, by its code or else its unit text.</summary>
    private bool Quantity(JsonNode? quantity, string path, List<FhirIssue> issues)
    {
        if (quantity is not JsonObject q || (string?)q["system"] == Terminology.Ucum)
        {
            return false;
        }

        var system = (string?)q["system"] ?? NoSystem;
        var code = (string?)q["code"] ?? (system.Length == 0 ? (string?)q["unit"] : null);
        if (code is null || !groups.TryGetValue((Terminology.Ucum, system), out var codes))
        {
            return false;
        }

        if (codes.GetValueOrDefault(code) is not { } mapped)
        {
            issues.Add(FhirIssue.Error(IssueCodes.CodeInvalid,
                system.Length == 0
                    ? "The feed's code maps have no equal or equivalent UCUM unit for this unit spelling (a quantity without a system); add one to the feed's ConceptMap."
                    : $"The feed's code maps have no equal or equivalent UCUM unit for this unit of the system {system}; add one to the feed's ConceptMap.",
                path));
            return false;
        }

        q["system"] = Terminology.Ucum;
        q["code"] = mapped.Code;
        q["unit"] = mapped.Code;
        return true;
    }

    private static string? ContractCode(JsonNode? concept, string system) =>
        concept?["coding"] is JsonArray codings
            ? codings.Select(c => c as JsonObject).Where(c => (string?)c?["system"] == system).Select(c => (string?)c!["code"]).FirstOrDefault()
            : null;
}
