using System.Text.Json.Serialization;

namespace FhirMmn.Service.Messaging;

[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(MessageStatus))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class MessageJson : JsonSerializerContext;

/// <summary>What GET /messages/{id} answers (docs/architecture.md, "Interfaces").</summary>
public sealed record MessageStatus(
    string Id,
    string State,
    int Attempts,
    IReadOnlyList<string> Written,
    System.Text.Json.JsonElement? Outcome,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? CompletedAt);
