using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hl7.Fhir.Serialization;
using Firely = Hl7.Fhir.Model;

namespace FhirMmn.Fhir.Model;

/// <summary>Source-generated JSON metadata for the intake's read model: camelCase names, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Patient))]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(OperationOutcome))]
internal sealed partial class ReadModelJsonContext : JsonSerializerContext;

/// <summary>
/// FHIR JSON in and out. What the service writes (the write-back resources, Firely's POCOs) goes through Firely's
/// System.Text.Json-based serializer, one instance for the process: it keeps no state between calls and writes the
/// elements in the order of the R4 definitions, so the same resources give the same bytes. The intake's own
/// OperationOutcome is written with source-generated metadata.
/// </summary>
public static class FhirJson
{
    /// <summary>Firely's serializer; the FHIR client's serialization engine uses this same instance.</summary>
    internal static readonly FhirJsonSerializer Serializer = new();

    /// <summary>
    /// For what FhirMmn did not build itself: a result the write-back creates, as the hospital sent it (already checked
    /// by the strict reader), and what a FHIR server answers. Recoverable mode keeps every element (in the POCO or its
    /// overflow) and never throws for an element Firely would have formatted differently; it only fails on what it
    /// cannot hold, and its messages, which quote values, are never shown (see <see cref="TryParse"/>).
    /// </summary>
    internal static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    // FHIR narrative is XHTML: keep '<' and '&' readable; JSON escaping stays correct (the output is never embedded in HTML).
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly JsonWriterOptions Indented = Compact with { Indented = true };

    private static readonly ReadModelJsonContext Context = new(new JsonSerializerOptions(ReadModelJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly ReadModelJsonContext IndentedContext = new(new JsonSerializerOptions(Context.Options) { WriteIndented = true });

    public static byte[] SerializeToUtf8Bytes(Firely.Resource resource, bool indented = false)
    {
        var buffer = Write(resource, indented);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Serialize(Firely.Resource resource, bool indented = false) =>
        Encoding.UTF8.GetString(Write(resource, indented).WrittenSpan);

    public static string Serialize(OperationOutcome outcome, bool indented = false) =>
        JsonSerializer.Serialize(outcome, (indented ? IndentedContext : Context).OperationOutcome);

    /// <summary>Reads FHIR JSON into Firely's POCOs; false (with no message, which would quote the input) when it cannot.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out Firely.Resource? resource)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            return Deserializer.TryDeserializeResource(ref reader, out resource, out _);
        }
        catch (JsonException)
        {
            resource = null;
            return false;
        }
    }

    /// <summary>Binds JSON (already checked by the strict reader) to the read model with the serializer; the feed reader uses <see cref="ValidatedBinder"/>, held to this by a test.</summary>
    internal static Observation ToObservation(JsonElement json) =>
        JsonSerializer.Deserialize(JsonMarshal.GetRawUtf8Value(json), Context.Observation)!;

    internal static Patient ToPatient(JsonElement json) =>
        JsonSerializer.Deserialize(JsonMarshal.GetRawUtf8Value(json), Context.Patient)!;

    internal static string SerializeReadModel<T>(T value)
        where T : class => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Context.GetTypeInfo(typeof(T))!);

    private static ArrayBufferWriter<byte> Write(Firely.Resource resource, bool indented)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            Serializer.Serialize(resource, writer);
        }

        return buffer;
    }
}
