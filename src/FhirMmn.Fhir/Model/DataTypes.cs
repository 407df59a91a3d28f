using System.Text.Json;
using System.Text.Json.Serialization;

namespace FhirMmn.Fhir.Model;

// The R4 data types FhirMmn reads and writes. Elements FhirMmn does not use are left out: the strict
// reader checks a resource against the full R4 structure before it is bound to these records.

public sealed record Coding
{
    public string? System { get; init; }

    public string? Version { get; init; }

    public string? Code { get; init; }

    public string? Display { get; init; }

    public bool? UserSelected { get; init; }

    public static Coding Of(string system, string code, string? display = null) =>
        new() { System = system, Code = code, Display = display };
}

public sealed record CodeableConcept
{
    public IReadOnlyList<Coding>? Coding { get; init; }

    public string? Text { get; init; }

    public static CodeableConcept Of(string system, string code, string? display = null) =>
        new() { Coding = [Model.Coding.Of(system, code, display)] };

    public static CodeableConcept OfText(string text) => new() { Text = text };

    public bool Has(string system, string code) =>
        Coding?.Any(c => c.System == system && c.Code == code) == true;
}

public sealed record Quantity
{
    public decimal? Value { get; init; }

    public string? Comparator { get; init; }

    public string? Unit { get; init; }

    public string? System { get; init; }

    public string? Code { get; init; }
}

public sealed record Range
{
    public Quantity? Low { get; init; }

    public Quantity? High { get; init; }
}

public sealed record Ratio
{
    public Quantity? Numerator { get; init; }

    public Quantity? Denominator { get; init; }
}

public sealed record Period
{
    public string? Start { get; init; }

    public string? End { get; init; }
}

public sealed record Identifier
{
    public string? Use { get; init; }

    public CodeableConcept? Type { get; init; }

    public string? System { get; init; }

    public string? Value { get; init; }

    public static Identifier Of(string system, string value) => new() { System = system, Value = value };
}

public sealed record Reference
{
    [JsonPropertyName("reference")]
    public string? ReferenceValue { get; init; }

    public string? Type { get; init; }

    public Identifier? Identifier { get; init; }

    public string? Display { get; init; }

    public static Reference To(string reference, string? display = null) => new() { ReferenceValue = reference, Display = display };
}

public sealed record Meta
{
    public string? VersionId { get; init; }

    public string? LastUpdated { get; init; }

    public string? Source { get; init; }

    public IReadOnlyList<string>? Profile { get; init; }

    public IReadOnlyList<Coding>? Tag { get; init; }
}

public sealed record Narrative
{
    public required string Status { get; init; }

    public required string Div { get; init; }
}

/// <summary>An extension, kept whole: its value[x] passes through untouched.</summary>
public sealed record Extension
{
    public string? Url { get; init; }

    // Settable: System.Text.Json binds init-only members like constructor parameters, which extension data cannot be.
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Values { get; set; }
}

public sealed record Annotation
{
    public string? AuthorString { get; init; }

    public string? Time { get; init; }

    public required string Text { get; init; }
}
