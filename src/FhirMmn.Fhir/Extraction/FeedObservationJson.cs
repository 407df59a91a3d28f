using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FhirMmn.Domain;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Extraction;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(FeedObservation))]
[JsonSerializable(typeof(IReadOnlyList<FeedObservation>))]
[JsonSerializable(typeof(PatientIdentity))]
[JsonSerializable(typeof(CmapReading))]
[JsonSerializable(typeof(SnapReading))]
[JsonSerializable(typeof(AntiGm1Reading))]
[JsonSerializable(typeof(ClinicalReading))]
[JsonSerializable(typeof(AntiGm1Quantity))]
[JsonSerializable(typeof(AntiGm1Titre))]
[JsonSerializable(typeof(AntiGm1Presence))]
[JsonSerializable(typeof(Identifier))]
internal sealed partial class FeedObservationJsonContext : JsonSerializerContext;

/// <summary>
/// Stores what the service keeps of each result between bundles. The polymorphic readings are declared
/// here, by contract modifiers, so that the domain's records carry no serialisation attributes.
/// </summary>
public static class FeedObservationJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = FeedObservationJsonContext.Default.WithAddedModifier(DeclareDerivedTypes),
    };

    public static string Serialize(FeedObservation observation) =>
        JsonSerializer.Serialize(observation, (JsonTypeInfo<FeedObservation>)Options.GetTypeInfo(typeof(FeedObservation)));

    public static FeedObservation Deserialize(string json) =>
        JsonSerializer.Deserialize(json, (JsonTypeInfo<FeedObservation>)Options.GetTypeInfo(typeof(FeedObservation)))!;

    public static string Serialize(IReadOnlyList<FeedObservation> observations) =>
        JsonSerializer.Serialize(observations, (JsonTypeInfo<IReadOnlyList<FeedObservation>>)Options.GetTypeInfo(typeof(IReadOnlyList<FeedObservation>)));

    public static IReadOnlyList<FeedObservation> DeserializeList(string json) =>
        JsonSerializer.Deserialize(json, (JsonTypeInfo<IReadOnlyList<FeedObservation>>)Options.GetTypeInfo(typeof(IReadOnlyList<FeedObservation>)))!;

    public static string Serialize(PatientIdentity patient) =>
        JsonSerializer.Serialize(patient, (JsonTypeInfo<PatientIdentity>)Options.GetTypeInfo(typeof(PatientIdentity)));

    public static PatientIdentity DeserializePatient(string json) =>
        JsonSerializer.Deserialize(json, (JsonTypeInfo<PatientIdentity>)Options.GetTypeInfo(typeof(PatientIdentity)))!;

    private static void DeclareDerivedTypes(JsonTypeInfo info)
    {
        if (info.Type == typeof(Reading))
        {
            info.PolymorphismOptions = Polymorphism(
                (typeof(CmapReading), "cmap"), (typeof(SnapReading), "snap"), (typeof(AntiGm1Reading), "anti-gm1"), (typeof(ClinicalReading), "clinical"));
        }
        else if (info.Type == typeof(AntiGm1Result))
        {
            info.PolymorphismOptions = Polymorphism(
                (typeof(AntiGm1Quantity), "quantity"), (typeof(AntiGm1Titre), "titre"), (typeof(AntiGm1Presence), "presence"));
        }
    }

    private static JsonPolymorphismOptions Polymorphism(params (Type Type, string Name)[] derived)
    {
        var options = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "kind" };
        foreach (var (type, name) in derived)
        {
            options.DerivedTypes.Add(new JsonDerivedType(type, name));
        }

        return options;
    }
}
