using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FhirMmn.Fhir.Model;

/// <summary>Source-generated JSON metadata for the R4 model: camelCase names, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(ResourceConverter)])]
[JsonSerializable(typeof(Resource))]
[JsonSerializable(typeof(Patient))]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(DiagnosticReport))]
[JsonSerializable(typeof(CarePlan))]
[JsonSerializable(typeof(Device))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(OperationOutcome))]
[JsonSerializable(typeof(Bundle))]
internal sealed partial class FhirJsonContext : JsonSerializerContext;

/// <summary>Reads and writes FHIR JSON with the source-generated metadata.</summary>
public static class FhirJson
{
    private static readonly FhirJsonContext Context = new(new JsonSerializerOptions(FhirJsonContext.Default.Options)
    {
        // FHIR narrative is XHTML: keep '<' and '&' readable; JSON escaping stays correct.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly FhirJsonContext IndentedContext = new(new JsonSerializerOptions(Context.Options) { WriteIndented = true });

    private static readonly Dictionary<string, JsonTypeInfo> ByResourceType = new(StringComparer.Ordinal)
    {
        ["Patient"] = Context.Patient,
        ["Observation"] = Context.Observation,
        ["DiagnosticReport"] = Context.DiagnosticReport,
        ["CarePlan"] = Context.CarePlan,
        ["Device"] = Context.Device,
        ["Provenance"] = Context.Provenance,
        ["OperationOutcome"] = Context.OperationOutcome,
        ["Bundle"] = Context.Bundle,
    };

    public static byte[] SerializeToUtf8Bytes(Resource resource, bool indented = false) =>
        JsonSerializer.SerializeToUtf8Bytes(resource, (indented ? IndentedContext : Context).Resource);

    public static string Serialize(Resource resource, bool indented = false) =>
        JsonSerializer.Serialize(resource, (indented ? IndentedContext : Context).Resource);

    public static void Serialize(Utf8JsonWriter writer, Resource resource) =>
        JsonSerializer.Serialize(writer, resource, Context.Resource);

    /// <summary>Binds JSON (already checked by the strict reader) to the model.</summary>
    public static Resource ToResource(JsonElement json)
    {
        var type = json.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : string.Empty;
        // Read the element's own bytes in place: JsonElement.Deserialize would write them out first.
        return ByResourceType.TryGetValue(type, out var info)
            ? (Resource)JsonSerializer.Deserialize(JsonMarshal.GetRawUtf8Value(json), info)!
            : new OtherResource(type, json.Clone());
    }

    public static T To<T>(JsonElement json)
        where T : Resource => (T)ToResource(json);

    public static Resource Parse(ReadOnlySpan<byte> utf8) => ToResource(JsonDocument.Parse(utf8.ToArray()).RootElement);

    internal static JsonTypeInfo InfoFor(Type type) => Context.GetTypeInfo(type)
        ?? throw new InvalidOperationException($"No JSON metadata for {type.Name}.");
}

/// <summary>Writes any resource by its runtime type; reads by resourceType, keeping unmodelled types as JSON.</summary>
internal sealed class ResourceConverter : JsonConverter<Resource>
{
    public override Resource Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FhirJson.ToResource(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, Resource value, JsonSerializerOptions options)
    {
        if (value is OtherResource other)
        {
            other.Json.WriteTo(writer);
            return;
        }

        JsonSerializer.Serialize(writer, value, FhirJson.InfoFor(value.GetType()));
    }
}
