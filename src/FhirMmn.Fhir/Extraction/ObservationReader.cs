using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FhirMmn.Domain;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Fhir.Extraction;

/// <summary>
/// Maps one Observation to the feed contract (docs/feed-contract.md), or reports why it cannot be.
/// Observations whose code is not in the contract are left alone (a feed may carry other results).
/// </summary>
internal sealed partial class ObservationReader(
    string path,
    string? fullUrl,
    JsonElement json,
    Observation observation,
    IReadOnlyDictionary<string, string> panels,
    long arrival,
    List<FhirIssue> issues)
{
    private enum Kind
    {
        None,
        Cmap,
        Snap,
        AntiGm1Quantity,
        AntiGm1Titre,
        AntiGm1Presence,
        Clinical,
    }

    private int errors;
    private string sourceId = string.Empty;

    [GeneratedRegex(@"^\s*1\s*:\s*(?<n>[0-9]+(\.[0-9]+)?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TitreText();

    [GeneratedRegex(@"^\s*(?<op><=|<|≤)\s*1\s*:\s*(?<n>[0-9]+(\.[0-9]+)?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TitreLimitText();

    public FeedObservation? Read()
    {
        var (kind, clinical) = Classify();
        if (kind == Kind.None)
        {
            return null;
        }

        if (observation.ModifierExtension is { Count: > 0 })
        {
            Error(IssueCodes.NotSupported, "modifierExtension",
                "The Observation carries a modifier extension FhirMmn does not understand, so it cannot be used safely.");
        }

        var identity = Identity();
        sourceId = identity?.Key ?? path;
        var (effectiveText, effective) = Effective();
        var status = observation.Status!;
        Reading? reading = null;
        if (status != "entered-in-error")
        {
            reading = kind switch
            {
                Kind.Cmap => Cmap(effectiveText),
                Kind.Snap => Snap(),
                Kind.AntiGm1Quantity => AntiGm1Quantity(),
                Kind.AntiGm1Titre => AntiGm1Titre(),
                Kind.AntiGm1Presence => AntiGm1Presence(),
                Kind.Clinical => Clinical(clinical),
                _ => null,
            };
        }

        if (errors > 0 || identity is null || effectiveText is null)
        {
            return null;
        }

        return new FeedObservation
        {
            Identity = identity,
            Status = status,
            EffectiveText = effectiveText,
            Effective = effective,
            Reading = reading,
            Json = identity.OnServer ? null : json.GetRawText(),
            Arrival = arrival,
        };
    }

    private void Error(string code, string element, string message)
    {
        errors++;
        issues.Add(FhirIssue.Error(code, message, element.Length == 0 ? path : $"{path}.{element}"));
    }

    private (Kind Kind, ClinicalCode Clinical) Classify()
    {
        var found = new List<(Kind Kind, ClinicalCode Clinical)>();
        var codings = observation.Code?.Coding ?? [];
        for (var i = 0; i < codings.Count; i++)
        {
            var (system, code) = (codings[i].System, codings[i].Code);
            var kind = (system, code) switch
            {
                (Terminology.Loinc, Terminology.LoincCmapAmplitude) => Kind.Cmap,
                (Terminology.Loinc, Terminology.LoincSnapAmplitude) => Kind.Snap,
                (Contract.Ncs, ContractCodes.SnapAmplitude) => Kind.Snap,
                (Terminology.Loinc, Terminology.LoincAntiGm1IgM) => Kind.AntiGm1Quantity,
                (Contract.MmnLab, ContractCodes.AntiGm1Titre) => Kind.AntiGm1Titre,
                (Contract.MmnLab, ContractCodes.AntiGm1Presence) => Kind.AntiGm1Presence,
                (Contract.MmnClinical, _) when code is not null && ContractCodes.Clinical.ContainsKey(code) => Kind.Clinical,
                _ => Kind.None,
            };
            if (kind != Kind.None)
            {
                found.Add((kind, kind == Kind.Clinical ? ContractCodes.Clinical[code!] : default));
            }
            else if (system is not null && Contract.OwnCodeSystems.Contains(system))
            {
                Error(IssueCodes.CodeInvalid, $"code.coding[{i}].code",
                    "Not a code of this FhirMmn code system for an Observation code (see the feed contract).");
            }
        }

        var distinct = found.Distinct().ToList();
        if (distinct.Count > 1)
        {
            Error(IssueCodes.BusinessRule, "code", "The Observation code names two different results of the feed contract.");
            return (Kind.None, default);
        }

        return distinct.Count == 1 ? distinct[0] : (Kind.None, default);
    }

    private ObservationIdentity? Identity()
    {
        var identifier = observation.Identifier?.FirstOrDefault(i => i.System is not null && i.Value is not null);
        var restful = References.ParseRestful(fullUrl);
        if (restful is { Base: not null, Type: "Observation" })
        {
            if (observation.Id is not null && observation.Id != restful.Id)
            {
                Error(IssueCodes.Invalid, "id", "The Observation id differs from the id in its entry's fullUrl.");
                return null;
            }

            return new ObservationIdentity($"{restful.Base}/Observation/{restful.Id}", restful.Base, restful.Id,
                restful.Version ?? observation.Meta?.VersionId, identifier);
        }

        if (identifier is not null)
        {
            return new ObservationIdentity($"identifier|{identifier.System}|{identifier.Value}", null, null, observation.Meta?.VersionId, identifier);
        }

        Error(IssueCodes.Required, "identifier",
            "A result without a RESTful fullUrl (e.g. urn:uuid) needs an identifier (system and value), so that the write-back can create it once and the report can reference it.");
        return null;
    }

    private (string? Text, DateTimeOffset Instant) Effective()
    {
        var text = observation.EffectiveDateTime ?? observation.EffectivePeriod?.Start ?? observation.EffectiveInstant ?? observation.Issued;
        if (text is null)
        {
            Error(IssueCodes.Required, "effective[x]",
                "The Observation needs effectiveDateTime (or effectivePeriod.start, effectiveInstant, or issued): it dates the study and the report.");
            return (null, default);
        }

        return (text, ParseInstant(text));
    }

    /// <summary>FHIR dateTime to an instant: a partial date counts from its start, in UTC.</summary>
    internal static DateTimeOffset ParseInstant(string text)
    {
        if (text.Length > 10 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var full))
        {
            return full;
        }

        var padded = text.Length switch
        {
            4 => text + "-01-01",
            7 => text + "-01",
            _ => text[..Math.Min(10, text.Length)],
        };
        return DateTimeOffset.ParseExact(padded, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    private static readonly FrozenSet<string> CmapComponents = new[]
    {
        ContractCodes.StimulationSiteComponent, ContractCodes.LateralityComponent, ContractCodes.CmapAreaComponent,
        ContractCodes.CmapDurationComponent, ContractCodes.OnsetLatencyComponent,
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SnapComponents = new[]
    {
        ContractCodes.LateralityComponent, ContractCodes.StimulationSiteComponent,
    }.ToFrozenSet(StringComparer.Ordinal);

    private CmapReading? Cmap(string? effectiveText)
    {
        var nerve = Nerve(ContractCodes.MotorNerves, "a motor nerve (median, ulnar, radial, musculocutaneous, peroneal, tibial)");
        var components = Components(CmapComponents);
        var site = Site(components, required: true);
        var side = Laterality(components);
        var amplitude = MainQuantity(Ucum.Millivolts, "CMAP amplitude");
        var lowerLimit = LowerLimit(Ucum.Millivolts);
        var area = ComponentQuantity(components, ContractCodes.CmapAreaComponent, Ucum.MillivoltMilliseconds);
        var duration = ComponentQuantity(components, ContractCodes.CmapDurationComponent, Ucum.Milliseconds);
        var latency = ComponentQuantity(components, ContractCodes.OnsetLatencyComponent, Ucum.Milliseconds);
        if (nerve is { } n && site is { } s && n.LimbOf() != s.LimbOf())
        {
            Error(IssueCodes.BusinessRule, $"component[{components[ContractCodes.StimulationSiteComponent].Index}].valueCodeableConcept",
                "The stimulation site is not on the limb of the nerve in bodySite.");
        }

        if (nerve is null || site is null || side is null)
        {
            return null;
        }

        return new CmapReading(nerve.Value, side.Value, site.Value, amplitude, area, duration, lowerLimit,
            StudyGroup(nerve.Value, side.Value, effectiveText)) { OnsetLatencyMs = latency };
    }

    /// <summary>A study: by partOf (a Procedure), else by hasMember panel, else by effective day.</summary>
    private string StudyGroup(MotorNerve nerve, Side side, string? effectiveText)
    {
        var procedure = observation.PartOf?
            .Select(r => r.ReferenceValue)
            .FirstOrDefault(r => r is not null && (References.ParseRestful(References.Resolve(r, fullUrl))?.Type == "Procedure" || References.IsUrn(r)));
        var group = procedure is not null ? "procedure:" + References.Resolve(procedure, fullUrl)
            : fullUrl is not null && panels.TryGetValue(fullUrl, out var panel) ? "panel:" + panel
            : "day:" + effectiveText?[..Math.Min(10, effectiveText.Length)];
        return $"{group}|{nerve.Code()}|{side.Name()}";
    }

    /// <summary>A SNAP: the distal SNAP, or with a stimulation-site component other than the wrist a segmental one (criteria revision 2 item 4, docs/criteria.md).</summary>
    private SnapReading? Snap()
    {
        var nerve = Nerve(ContractCodes.SensoryNerves,
            "a sensory nerve (median, ulnar, radial, sural, superficial-peroneal, lateral-antebrachial-cutaneous)");
        var components = Components(SnapComponents);
        var hasSite = components.ContainsKey(ContractCodes.StimulationSiteComponent);
        var site = hasSite ? Site(components, required: false) : null;
        var side = Laterality(components);
        var amplitude = MainQuantity(Ucum.Microvolts, "SNAP amplitude");
        var lowerLimit = LowerLimit(Ucum.Microvolts);
        if (nerve is { } n && site is { } s && n.LimbOf() != s.LimbOf())
        {
            Error(IssueCodes.BusinessRule, $"component[{components[ContractCodes.StimulationSiteComponent].Index}].valueCodeableConcept",
                "The SNAP's stimulation site is not on the limb of the nerve in bodySite.");
        }

        return nerve is null || side is null || (hasSite && site is null) ? null : new SnapReading(nerve.Value, side.Value, amplitude, lowerLimit, site);
    }

    private T? Nerve<T>(FrozenDictionary<string, T> nerves, string expected)
        where T : struct
    {
        var codings = observation.BodySite?.Coding?.Where(c => c.System == Contract.Nerve).ToList() ?? [];
        if (codings.Count == 0)
        {
            Error(IssueCodes.Required, "bodySite", $"The bodySite needs a nerve from {Contract.Nerve}: {expected}.");
            return null;
        }

        if (codings.Count > 1 || codings[0].Code is not { } code || !nerves.TryGetValue(code, out var nerve))
        {
            Error(IssueCodes.CodeInvalid, "bodySite", $"The bodySite must name one nerve: {expected}.");
            return null;
        }

        return nerve;
    }

    private sealed record ComponentAt(int Index, ObservationComponent Component);

    private Dictionary<string, ComponentAt> Components(FrozenSet<string> allowed)
    {
        var found = new Dictionary<string, ComponentAt>(StringComparer.Ordinal);
        var components = observation.Component ?? [];
        for (var i = 0; i < components.Count; i++)
        {
            var component = components[i];
            var code = component.Code?.Coding?.FirstOrDefault(c => c.System == Contract.Ncs)?.Code;
            if (code is null)
            {
                continue;
            }

            if (!allowed.Contains(code))
            {
                Error(IssueCodes.CodeInvalid, $"component[{i}].code", "This ncs component does not belong in this Observation.");
            }
            else if (!found.TryAdd(code, new ComponentAt(i, component)))
            {
                Error(IssueCodes.Duplicate, $"component[{i}].code", "This component appears twice.");
            }

            if (component.ModifierExtension is { Count: > 0 })
            {
                Error(IssueCodes.NotSupported, $"component[{i}].modifierExtension", "A component carries a modifier extension FhirMmn does not understand.");
            }
        }

        return found;
    }

    private StimulationSite? Site(Dictionary<string, ComponentAt> components, bool required)
    {
        if (!components.TryGetValue(ContractCodes.StimulationSiteComponent, out var at))
        {
            if (required)
            {
                Error(IssueCodes.Required, "component", "A CMAP needs its stimulation-site component.");
            }

            return null;
        }

        var code = at.Component.ValueCodeableConcept?.Coding?.FirstOrDefault(c => c.System == Contract.StimulationSite)?.Code;
        if (code is null || !ContractCodes.Sites.TryGetValue(code, out var site))
        {
            Error(IssueCodes.CodeInvalid, $"component[{at.Index}].valueCodeableConcept",
                $"The stimulation site must be a code of {Contract.StimulationSite}.");
            return null;
        }

        return site;
    }

    private Side? Laterality(Dictionary<string, ComponentAt> components)
    {
        if (!components.TryGetValue(ContractCodes.LateralityComponent, out var at))
        {
            Error(IssueCodes.Required, "component", "The laterality component is required: a nerve is a nerve on one side.");
            return null;
        }

        var sides = at.Component.ValueCodeableConcept?.Coding?
            .Where(c => c.System == Terminology.Snomed && c.Code is not null && ContractCodes.Laterality.ContainsKey(c.Code))
            .Select(c => ContractCodes.Laterality[c.Code!])
            .Distinct()
            .ToList() ?? [];
        if (sides.Count != 1)
        {
            Error(IssueCodes.CodeInvalid, $"component[{at.Index}].valueCodeableConcept",
                "The laterality must be SNOMED CT 7771000 (left) or 24028007 (right) (or 419161000 / 419465000).");
            return null;
        }

        return sides[0];
    }

    /// <summary>The Observation's own valueQuantity, or null with a dataAbsentReason.</summary>
    private decimal? MainQuantity(FrozenDictionary<string, decimal> units, string what)
    {
        if (observation.ValueQuantity is { } quantity)
        {
            return Convert(quantity, units, "valueQuantity", what, allowComparator: false)?.Value;
        }

        if (observation.HasAnyValue)
        {
            Error(IssueCodes.Structure, "value[x]", $"The {what} must be a valueQuantity.");
        }
        else if (observation.DataAbsentReason is null)
        {
            Error(IssueCodes.Required, "valueQuantity", $"The {what} needs a valueQuantity, or a dataAbsentReason when there is none.");
        }

        return null;
    }

    private decimal? ComponentQuantity(Dictionary<string, ComponentAt> components, string code, FrozenDictionary<string, decimal> units)
    {
        if (!components.TryGetValue(code, out var at))
        {
            return null;
        }

        var component = at.Component;
        if (component.ValueQuantity is { } quantity)
        {
            return Convert(quantity, units, $"component[{at.Index}].valueQuantity", code, allowComparator: false)?.Value;
        }

        if (component.ValueCodeableConcept is not null || component.ValueString is not null || component.ValueBoolean is not null || component.ValueInteger is not null)
        {
            Error(IssueCodes.Structure, $"component[{at.Index}].value[x]", $"The {code} component must be a valueQuantity.");
        }

        return null;
    }

    private decimal? LowerLimit(FrozenDictionary<string, decimal> units)
    {
        var ranges = observation.ReferenceRange ?? [];
        for (var i = 0; i < ranges.Count; i++)
        {
            if (ranges[i].Low is { } low)
            {
                return Convert(low, units, $"referenceRange[{i}].low", "lower limit of normal", allowComparator: false)?.Value;
            }
        }

        return null;
    }

    private Measured? Convert(Quantity quantity, FrozenDictionary<string, decimal> units, string element, string what, bool allowComparator)
    {
        if (Ucum.TryConvert(quantity, units, allowComparator, out var value) is { } problem)
        {
            Error(problem.StartsWith("needs", StringComparison.Ordinal) || problem.StartsWith("has a unit", StringComparison.Ordinal)
                ? IssueCodes.CodeInvalid
                : IssueCodes.Value, element, $"The {what} {problem}.");
            return null;
        }

        return value;
    }

    private LabInterpretation Interpretation()
    {
        var codes = observation.Interpretation?
            .SelectMany(c => c.Coding ?? [])
            .Where(c => c.System is Terminology.ObservationInterpretation or "http://terminology.hl7.org/CodeSystem/v2-0078")
            .Select(c => c.Code)
            .ToList() ?? [];
        var raised = codes.Any(c => c is not null && ContractCodes.RaisedInterpretations.Contains(c));
        var notRaised = codes.Any(c => c is not null && ContractCodes.NotRaisedInterpretations.Contains(c));
        var equivocal = codes.Any(c => c is not null && ContractCodes.EquivocalInterpretations.Contains(c));
        if (raised && (notRaised || equivocal))
        {
            Error(IssueCodes.BusinessRule, "interpretation", "The interpretation says both raised and not raised.");
            return LabInterpretation.None;
        }

        if (codes.Count > 0 && !raised && !notRaised && !equivocal)
        {
            issues.Add(FhirIssue.Warning(IssueCodes.CodeInvalid,
                "The interpretation code is not one FhirMmn reads (H, HH, HU, A, POS; N, NEG, L; E, IND); the value decides.",
                $"{path}.interpretation"));
        }

        // Not raised beside equivocal (N with E): the lab was not sure, so equivocal (docs/criteria.md).
        return raised ? LabInterpretation.Raised
            : equivocal ? LabInterpretation.Equivocal
            : notRaised ? LabInterpretation.NotRaised
            : LabInterpretation.None;
    }

    private AntiGm1Reading? AntiGm1Quantity()
    {
        var interpretation = Interpretation();
        if (observation.ValueQuantity is not { } quantity)
        {
            Error(IssueCodes.Structure, "valueQuantity", "A quantitative anti-GM1 IgM result (LOINC 51703-7) needs a valueQuantity.");
            return null;
        }

        if (quantity.Value is not { } value || quantity.System != Terminology.Ucum || quantity.Code is null)
        {
            Error(IssueCodes.CodeInvalid, "valueQuantity", "The anti-GM1 IgM value needs a value and a UCUM unit (system and code).");
            return null;
        }

        if (Ucum.ParseComparator(quantity.Comparator) is not { } comparator)
        {
            Error(IssueCodes.Value, "valueQuantity.comparator", "The comparator is not one of <, <=, >=, >.");
            return null;
        }

        decimal? upper = null;
        var high = observation.ReferenceRange?.FirstOrDefault(r => r.High is not null)?.High;
        if (high is not null)
        {
            if (high.Value is { } limit && high.Code == quantity.Code && high.System == Terminology.Ucum)
            {
                upper = limit;
            }
            else
            {
                issues.Add(FhirIssue.Warning(IssueCodes.Value,
                    "The anti-GM1 reference range is not in the unit of the value; the result can only be read from its interpretation.",
                    $"{path}.referenceRange"));
            }
        }

        return new AntiGm1Reading(new AntiGm1Quantity(sourceId, interpretation, new Measured(value, comparator), upper));
    }

    private AntiGm1Reading? AntiGm1Titre()
    {
        var interpretation = Interpretation();
        decimal? dilution = null;
        if (observation.ValueRatio is { } ratio)
        {
            if (ratio.Numerator?.Value == 1m && ratio.Denominator?.Value is > 0m and var n)
            {
                dilution = n;
            }
        }
        else if (observation.ValueString is { } text && TitreText().Match(text) is { Success: true } match)
        {
            dilution = decimal.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        }

        if (dilution is null)
        {
            Error(IssueCodes.Value, "value[x]", "An anti-GM1 IgM titre needs valueRatio 1:N (numerator 1, denominator N > 0), or valueString \"1:N\".");
            return null;
        }

        decimal? limit = null;
        var inclusive = true;
        var rangeText = observation.ReferenceRange?.FirstOrDefault(r => r.Text is not null)?.Text;
        if (rangeText is not null && TitreLimitText().Match(rangeText) is { Success: true } limitMatch)
        {
            limit = decimal.Parse(limitMatch.Groups["n"].Value, CultureInfo.InvariantCulture);
            inclusive = limitMatch.Groups["op"].Value != "<";
        }
        else if (rangeText is not null)
        {
            issues.Add(FhirIssue.Warning(IssueCodes.Value,
                "The titre's referenceRange.text is not \"<= 1:N\" or \"< 1:N\"; the result can only be read from its interpretation.",
                $"{path}.referenceRange"));
        }

        return new AntiGm1Reading(new AntiGm1Titre(sourceId, interpretation, dilution.Value, limit, inclusive));
    }

    private AntiGm1Reading? AntiGm1Presence()
    {
        var interpretation = Interpretation();
        var concept = observation.ValueCodeableConcept;
        var positive = concept?.Has(Terminology.Snomed, Terminology.SnomedPositive) == true;
        var negative = concept?.Has(Terminology.Snomed, Terminology.SnomedNegative) == true;
        if (positive == negative)
        {
            Error(IssueCodes.CodeInvalid, "valueCodeableConcept",
                "A qualitative anti-GM1 IgM result needs valueCodeableConcept SNOMED CT 10828004 (positive) or 260385009 (negative).");
            return null;
        }

        return new AntiGm1Reading(new AntiGm1Presence(sourceId, interpretation, positive));
    }

    private ClinicalReading? Clinical(ClinicalCode code)
    {
        switch (code)
        {
            case ClinicalCode.WeaknessNerveCount:
                if (observation.ValueInteger is { } count and >= 0)
                {
                    return new ClinicalReading(code, Count: count);
                }

                return Absent(code, "valueInteger", "a valueInteger of 0 or more");
            case ClinicalCode.WeaknessDuration:
                if (observation.ValueQuantity is { } duration)
                {
                    return Convert(duration, Ucum.Days, "valueQuantity", "weakness duration", allowComparator: true) is { } days
                        ? new ClinicalReading(code, Days: days)
                        : null;
                }

                return Absent(code, "valueQuantity", "a valueQuantity in mo (or a, wk, d)");
            case ClinicalCode.CsfProtein:
                if (observation.ValueQuantity is { } protein)
                {
                    var value = Convert(protein, Ucum.GramsPerLitre, "valueQuantity", "CSF protein", allowComparator: true);
                    var high = observation.ReferenceRange?.Select((r, i) => (r.High, i)).FirstOrDefault(r => r.High is not null);
                    var limit = high?.High is { } h ? Convert(h, Ucum.GramsPerLitre, $"referenceRange[{high.Value.i}].high", "CSF protein upper limit", false) : null;
                    return value is null ? null : new ClinicalReading(code, GramsPerLitre: value, UpperLimitGramsPerLitre: limit?.Value);
                }

                return Absent(code, "valueQuantity", "a valueQuantity in g/L");
            default:
                if (observation.ValueBoolean is { } present)
                {
                    return new ClinicalReading(code, Present: present);
                }

                return Absent(code, "valueBoolean", "a valueBoolean");
        }
    }

    private ClinicalReading? Absent(ClinicalCode code, string element, string expected)
    {
        if (!observation.HasAnyValue && observation.DataAbsentReason is not null)
        {
            return new ClinicalReading(code);
        }

        Error(IssueCodes.Structure, element, $"The clinical finding {code.Code()} needs {expected}.");
        return null;
    }
}
