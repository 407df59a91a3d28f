using System.Text.Json;
using System.Text.Json.Serialization;

namespace FhirMmn.Fhir.Model;

/// <summary>A FHIR resource. <see cref="ResourceType"/> is written first, as FHIR JSON expects.</summary>
[JsonConverter(typeof(ResourceConverter))]
public abstract record Resource
{
    [JsonPropertyOrder(-10)]
    public string ResourceType => TypeName;

    [JsonPropertyOrder(-9)]
    public string? Id { get; init; }

    [JsonPropertyOrder(-8)]
    public Meta? Meta { get; init; }

    protected abstract string TypeName { get; }
}

/// <summary>A resource of a type FhirMmn does not model, kept as the JSON it came in.</summary>
public sealed record OtherResource(string Type, JsonElement Json) : Resource
{
    protected override string TypeName => Type;
}

public sealed record Patient : Resource
{
    protected override string TypeName => "Patient";

    public IReadOnlyList<Identifier>? Identifier { get; init; }
}

public sealed record Observation : Resource
{
    protected override string TypeName => "Observation";

    public IReadOnlyList<Extension>? ModifierExtension { get; init; }

    public IReadOnlyList<Identifier>? Identifier { get; init; }

    public IReadOnlyList<Reference>? PartOf { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<CodeableConcept>? Category { get; init; }

    public CodeableConcept? Code { get; init; }

    public Reference? Subject { get; init; }

    public string? EffectiveDateTime { get; init; }

    public Period? EffectivePeriod { get; init; }

    public JsonElement? EffectiveTiming { get; init; }

    public string? EffectiveInstant { get; init; }

    public string? Issued { get; init; }

    public Quantity? ValueQuantity { get; init; }

    public CodeableConcept? ValueCodeableConcept { get; init; }

    public string? ValueString { get; init; }

    public bool? ValueBoolean { get; init; }

    public int? ValueInteger { get; init; }

    public Range? ValueRange { get; init; }

    public Ratio? ValueRatio { get; init; }

    public JsonElement? ValueSampledData { get; init; }

    public string? ValueTime { get; init; }

    public string? ValueDateTime { get; init; }

    public Period? ValuePeriod { get; init; }

    public CodeableConcept? DataAbsentReason { get; init; }

    public IReadOnlyList<CodeableConcept>? Interpretation { get; init; }

    public CodeableConcept? BodySite { get; init; }

    public IReadOnlyList<ObservationReferenceRange>? ReferenceRange { get; init; }

    public IReadOnlyList<Reference>? HasMember { get; init; }

    public IReadOnlyList<ObservationComponent>? Component { get; init; }

    /// <summary>Whether the observation carries a value of any R4 type.</summary>
    [JsonIgnore]
    public bool HasAnyValue => ValueQuantity is not null || ValueCodeableConcept is not null || ValueString is not null
        || ValueBoolean is not null || ValueInteger is not null || ValueRange is not null || ValueRatio is not null
        || ValueSampledData is not null || ValueTime is not null || ValueDateTime is not null || ValuePeriod is not null;
}

public sealed record ObservationReferenceRange
{
    public Quantity? Low { get; init; }

    public Quantity? High { get; init; }

    public string? Text { get; init; }
}

public sealed record ObservationComponent
{
    public IReadOnlyList<Extension>? ModifierExtension { get; init; }

    public required CodeableConcept Code { get; init; }

    public Quantity? ValueQuantity { get; init; }

    public CodeableConcept? ValueCodeableConcept { get; init; }

    public string? ValueString { get; init; }

    public bool? ValueBoolean { get; init; }

    public int? ValueInteger { get; init; }

    public CodeableConcept? DataAbsentReason { get; init; }
}

public sealed record DiagnosticReport : Resource
{
    protected override string TypeName => "DiagnosticReport";

    public Narrative? Text { get; init; }

    public IReadOnlyList<Identifier>? Identifier { get; init; }

    public required string Status { get; init; }

    public IReadOnlyList<CodeableConcept>? Category { get; init; }

    public required CodeableConcept Code { get; init; }

    public Reference? Subject { get; init; }

    public string? EffectiveDateTime { get; init; }

    public string? Issued { get; init; }

    public IReadOnlyList<Reference>? Result { get; init; }

    public string? Conclusion { get; init; }

    public IReadOnlyList<CodeableConcept>? ConclusionCode { get; init; }
}

public sealed record CarePlan : Resource
{
    protected override string TypeName => "CarePlan";

    public Narrative? Text { get; init; }

    public IReadOnlyList<Identifier>? Identifier { get; init; }

    public IReadOnlyList<string>? InstantiatesCanonical { get; init; }

    public IReadOnlyList<Reference>? Replaces { get; init; }

    public required string Status { get; init; }

    public required string Intent { get; init; }

    public IReadOnlyList<CodeableConcept>? Category { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    public required Reference Subject { get; init; }

    public string? Created { get; init; }

    public IReadOnlyList<Reference>? SupportingInfo { get; init; }

    public IReadOnlyList<CarePlanActivity>? Activity { get; init; }

    public IReadOnlyList<Annotation>? Note { get; init; }
}

public sealed record CarePlanActivity
{
    public CarePlanActivityDetail? Detail { get; init; }
}

public sealed record CarePlanActivityDetail
{
    public string? Kind { get; init; }

    public IReadOnlyList<string>? InstantiatesCanonical { get; init; }

    public CodeableConcept? Code { get; init; }

    public IReadOnlyList<Reference>? ReasonReference { get; init; }

    public required string Status { get; init; }

    public bool? DoNotPerform { get; init; }

    public string? Description { get; init; }
}

public sealed record Device : Resource
{
    protected override string TypeName => "Device";

    public IReadOnlyList<Identifier>? Identifier { get; init; }

    public string? Status { get; init; }

    public string? Manufacturer { get; init; }

    public IReadOnlyList<DeviceName>? DeviceName { get; init; }

    public CodeableConcept? Type { get; init; }

    public IReadOnlyList<DeviceVersion>? Version { get; init; }

    public IReadOnlyList<Annotation>? Note { get; init; }
}

public sealed record DeviceName
{
    public required string Name { get; init; }

    public required string Type { get; init; }
}

public sealed record DeviceVersion
{
    public CodeableConcept? Type { get; init; }

    public required string Value { get; init; }
}

public sealed record Provenance : Resource
{
    protected override string TypeName => "Provenance";

    public required IReadOnlyList<Reference> Target { get; init; }

    public required string Recorded { get; init; }

    public IReadOnlyList<string>? Policy { get; init; }

    public CodeableConcept? Activity { get; init; }

    public required IReadOnlyList<ProvenanceAgent> Agent { get; init; }

    public IReadOnlyList<ProvenanceEntity>? Entity { get; init; }
}

public sealed record ProvenanceAgent
{
    public CodeableConcept? Type { get; init; }

    public required Reference Who { get; init; }
}

public sealed record ProvenanceEntity
{
    public required string Role { get; init; }

    public required Reference What { get; init; }
}

public sealed record OperationOutcome : Resource
{
    protected override string TypeName => "OperationOutcome";

    public required IReadOnlyList<OperationOutcomeIssue> Issue { get; init; }
}

public sealed record OperationOutcomeIssue
{
    public required string Severity { get; init; }

    public required string Code { get; init; }

    public CodeableConcept? Details { get; init; }

    public string? Diagnostics { get; init; }

    public IReadOnlyList<string>? Expression { get; init; }
}

public sealed record Bundle : Resource
{
    protected override string TypeName => "Bundle";

    public required string Type { get; init; }

    public string? Timestamp { get; init; }

    public int? Total { get; init; }

    public IReadOnlyList<BundleLink>? Link { get; init; }

    public IReadOnlyList<BundleEntry>? Entry { get; init; }
}

public sealed record BundleLink
{
    public required string Relation { get; init; }

    public required string Url { get; init; }
}

public sealed record BundleEntry
{
    public string? FullUrl { get; init; }

    public Resource? Resource { get; init; }

    public BundleEntryRequest? Request { get; init; }

    public BundleEntryResponse? Response { get; init; }
}

public sealed record BundleEntryRequest
{
    public required string Method { get; init; }

    public required string Url { get; init; }

    public string? IfMatch { get; init; }

    public string? IfNoneExist { get; init; }
}

public sealed record BundleEntryResponse
{
    public required string Status { get; init; }

    public string? Location { get; init; }

    public string? Etag { get; init; }

    public string? LastModified { get; init; }

    public Resource? Outcome { get; init; }
}
