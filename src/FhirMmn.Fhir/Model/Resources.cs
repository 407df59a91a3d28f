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
    public string? Id { get; set; }

    [JsonPropertyOrder(-8)]
    public Meta? Meta { get; set; }

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

    public IReadOnlyList<Identifier>? Identifier { get; set; }
}

public sealed record Observation : Resource
{
    protected override string TypeName => "Observation";

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

public sealed record DiagnosticReport : Resource
{
    protected override string TypeName => "DiagnosticReport";

    public Narrative? Text { get; set; }

    public IReadOnlyList<Identifier>? Identifier { get; set; }

    public required string Status { get; set; }

    public IReadOnlyList<CodeableConcept>? Category { get; set; }

    public required CodeableConcept Code { get; set; }

    public Reference? Subject { get; set; }

    public string? EffectiveDateTime { get; set; }

    public string? Issued { get; set; }

    public IReadOnlyList<Reference>? Result { get; set; }

    public string? Conclusion { get; set; }

    public IReadOnlyList<CodeableConcept>? ConclusionCode { get; set; }
}

public sealed record CarePlan : Resource
{
    protected override string TypeName => "CarePlan";

    public Narrative? Text { get; set; }

    public IReadOnlyList<Identifier>? Identifier { get; set; }

    public IReadOnlyList<string>? InstantiatesCanonical { get; set; }

    public IReadOnlyList<Reference>? Replaces { get; set; }

    public required string Status { get; set; }

    public required string Intent { get; set; }

    public IReadOnlyList<CodeableConcept>? Category { get; set; }

    public string? Title { get; set; }

    public string? Description { get; set; }

    public required Reference Subject { get; set; }

    public string? Created { get; set; }

    public IReadOnlyList<Reference>? SupportingInfo { get; set; }

    public IReadOnlyList<CarePlanActivity>? Activity { get; set; }

    public IReadOnlyList<Annotation>? Note { get; set; }
}

public sealed record CarePlanActivity
{
    public CarePlanActivityDetail? Detail { get; set; }
}

public sealed record CarePlanActivityDetail
{
    public string? Kind { get; set; }

    public IReadOnlyList<string>? InstantiatesCanonical { get; set; }

    public CodeableConcept? Code { get; set; }

    public IReadOnlyList<Reference>? ReasonReference { get; set; }

    public required string Status { get; set; }

    public bool? DoNotPerform { get; set; }

    public string? Description { get; set; }
}

public sealed record Device : Resource
{
    protected override string TypeName => "Device";

    public IReadOnlyList<Identifier>? Identifier { get; set; }

    public string? Status { get; set; }

    public string? Manufacturer { get; set; }

    public IReadOnlyList<DeviceName>? DeviceName { get; set; }

    public CodeableConcept? Type { get; set; }

    public IReadOnlyList<DeviceVersion>? Version { get; set; }

    public IReadOnlyList<Annotation>? Note { get; set; }
}

public sealed record DeviceName
{
    public required string Name { get; set; }

    public required string Type { get; set; }
}

public sealed record DeviceVersion
{
    public CodeableConcept? Type { get; set; }

    public required string Value { get; set; }
}

public sealed record Provenance : Resource
{
    protected override string TypeName => "Provenance";

    public required IReadOnlyList<Reference> Target { get; set; }

    public required string Recorded { get; set; }

    public IReadOnlyList<string>? Policy { get; set; }

    public CodeableConcept? Activity { get; set; }

    public required IReadOnlyList<ProvenanceAgent> Agent { get; set; }

    public IReadOnlyList<ProvenanceEntity>? Entity { get; set; }
}

public sealed record ProvenanceAgent
{
    public CodeableConcept? Type { get; set; }

    public required Reference Who { get; set; }
}

public sealed record ProvenanceEntity
{
    public required string Role { get; set; }

    public required Reference What { get; set; }
}

public sealed record OperationOutcome : Resource
{
    protected override string TypeName => "OperationOutcome";

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

public sealed record Bundle : Resource
{
    protected override string TypeName => "Bundle";

    public required string Type { get; set; }

    public string? Timestamp { get; set; }

    public int? Total { get; set; }

    public IReadOnlyList<BundleLink>? Link { get; set; }

    public IReadOnlyList<BundleEntry>? Entry { get; set; }
}

public sealed record BundleLink
{
    public required string Relation { get; set; }

    public required string Url { get; set; }
}

public sealed record BundleEntry
{
    public string? FullUrl { get; set; }

    public Resource? Resource { get; set; }

    public BundleEntryRequest? Request { get; set; }

    public BundleEntryResponse? Response { get; set; }
}

public sealed record BundleEntryRequest
{
    public required string Method { get; set; }

    public required string Url { get; set; }

    public string? IfMatch { get; set; }

    public string? IfNoneExist { get; set; }
}

public sealed record BundleEntryResponse
{
    public required string Status { get; set; }

    public string? Location { get; set; }

    public string? Etag { get; set; }

    public string? LastModified { get; set; }

    public Resource? Outcome { get; set; }
}
