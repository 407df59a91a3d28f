using System.Text.Json;
using System.Text.Json.Serialization;

namespace FhirMmn.Fhir.Model;

// The intake's own read model: the Patient and Observation elements the feed reader binds (ValidatedBinder), and the
// OperationOutcome of its refusals. What FhirMmn writes back is Firely's model (Hl7.Fhir.Model). This one stays because
// the strict reader binds every Observation of every bundle straight from the checked JSON document: Firely's strict
// parse of the 40-result example takes 4x the whole FeedReader.Read and allocates 3 MB (issue 12), and its POCOs hold
// every primitive as an object of its own (README, Decisions).

public sealed record Patient
{
    public string? Id { get; set; }

    public Meta? Meta { get; set; }

    public IReadOnlyList<Identifier>? Identifier { get; set; }
}

public sealed record Observation
{
    public string? Id { get; set; }

    public Meta? Meta { get; set; }

    public IReadOnlyList<Extension>? ModifierExtension { get; set; }

    public IReadOnlyList<Identifier>? Identifier { get; set; }

    public IReadOnlyList<Reference>? PartOf { get; set; }

    public string? Status { get; set; }

    public IReadOnlyList<CodeableConcept>? Category { get; set; }

    public CodeableConcept? Code { get; set; }

    public Reference? Subject { get; set; }

    public string? EffectiveDateTime { get; set; }

    public Period? EffectivePeriod { get; set; }

    public JsonElement? EffectiveTiming { get; set; }

    public string? EffectiveInstant { get; set; }

    public string? Issued { get; set; }

    public Quantity? ValueQuantity { get; set; }

    public CodeableConcept? ValueCodeableConcept { get; set; }

    public string? ValueString { get; set; }

    public bool? ValueBoolean { get; set; }

    public int? ValueInteger { get; set; }

    public Range? ValueRange { get; set; }

    public Ratio? ValueRatio { get; set; }

    public JsonElement? ValueSampledData { get; set; }

    public string? ValueTime { get; set; }

    public string? ValueDateTime { get; set; }

    public Period? ValuePeriod { get; set; }

    public CodeableConcept? DataAbsentReason { get; set; }

    public IReadOnlyList<CodeableConcept>? Interpretation { get; set; }

    public CodeableConcept? BodySite { get; set; }

    public IReadOnlyList<ObservationReferenceRange>? ReferenceRange { get; set; }

    public IReadOnlyList<Reference>? HasMember { get; set; }

    public IReadOnlyList<ObservationComponent>? Component { get; set; }

    /// <summary>Whether the observation carries a value of any R4 type.</summary>
    [JsonIgnore]
    public bool HasAnyValue => ValueQuantity is not null || ValueCodeableConcept is not null || ValueString is not null
        || ValueBoolean is not null || ValueInteger is not null || ValueRange is not null || ValueRatio is not null
        || ValueSampledData is not null || ValueTime is not null || ValueDateTime is not null || ValuePeriod is not null;
}

public sealed record ObservationReferenceRange
{
    public Quantity? Low { get; set; }

    public Quantity? High { get; set; }

    public string? Text { get; set; }
}

public sealed record ObservationComponent
{
    public IReadOnlyList<Extension>? ModifierExtension { get; set; }

    public CodeableConcept? Code { get; set; }

    public Quantity? ValueQuantity { get; set; }

    public CodeableConcept? ValueCodeableConcept { get; set; }

    public string? ValueString { get; set; }

    public bool? ValueBoolean { get; set; }

    public int? ValueInteger { get; set; }

    public CodeableConcept? DataAbsentReason { get; set; }
}

/// <summary>
/// The OperationOutcome of the intake's refusals and the service's dead letters, written with the project's own
/// source-generated JSON: it answers every 202 and every refusal, and is built from <see cref="Outcomes.FhirIssue"/>s
/// whose texts never repeat an input value. The FHIR server's own outcomes are mapped to it at the client's edge.
/// </summary>
public sealed record OperationOutcome
{
    [JsonPropertyOrder(-10)]
    public string ResourceType { get; } = "OperationOutcome";

    [JsonPropertyOrder(-9)]
    public string? Id { get; set; }

    public required IReadOnlyList<OperationOutcomeIssue> Issue { get; set; }
}

public sealed record OperationOutcomeIssue
{
    public required string Severity { get; set; }

    public required string Code { get; set; }

    public CodeableConcept? Details { get; set; }

    public string? Diagnostics { get; set; }

    public IReadOnlyList<string>? Expression { get; set; }
}
