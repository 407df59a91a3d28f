using System.Text.Json;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Tests;

public sealed class ValidatedBinderTests
{
    public static TheoryData<string> Examples() => new(Feeds.AllExamples());

    private static void AssertSameAsSerializer(JsonElement resource)
    {
        var patient = resource.GetProperty("resourceType").GetString() == "Patient";
        var serializer = patient ? FhirJson.SerializeReadModel(FhirJson.ToPatient(resource)) : FhirJson.SerializeReadModel(FhirJson.ToObservation(resource));
        var binder = patient ? FhirJson.SerializeReadModel(ValidatedBinder.Patient(resource)) : FhirJson.SerializeReadModel(ValidatedBinder.Observation(resource));

        Assert.Equal(serializer, binder);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_binder_reads_every_example_resource_as_the_serializer_does(string example)
    {
        using var document = JsonDocument.Parse(Feeds.Text(example));

        foreach (var entry in document.RootElement.GetProperty("entry").EnumerateArray())
        {
            AssertSameAsSerializer(entry.GetProperty("resource"));
        }
    }

    [Fact]
    public void The_binder_reads_the_rarer_elements_as_the_serializer_does()
    {
        const string json = """
            {"resourceType":"Observation","id":"o1","meta":{"versionId":"3","lastUpdated":"2026-10-01T10:00:00Z","profile":["http://x/p"],"tag":[{"system":"s","code":"c"}]},
             "modifierExtension":[{"url":"http://x/m","valueBoolean":true}],"identifier":[{"use":"official","type":{"text":"t"},"system":"s","value":"v"}],
             "partOf":[{"reference":"Procedure/1","type":"Procedure","identifier":{"system":"s","value":"p"},"display":"d"}],"status":"final",
             "code":{"coding":[{"system":"s","version":"1","code":"c","display":"d","userSelected":true}],"text":"t"},"subject":{"reference":"Patient/1"},
             "effectivePeriod":{"start":"2026-10-01","end":"2026-10-02"},"issued":"2026-10-02T00:00:00Z",
             "valueRange":{"low":{"value":1.50,"comparator":">=","unit":"mV","system":"http://unitsofmeasure.org","code":"mV"},"high":{"value":2}},
             "interpretation":[{"coding":[{"code":"H"}]}],"referenceRange":[{"low":{"value":1},"high":{"value":2},"text":"r"}],
             "hasMember":[{"reference":"Observation/2"}],
             "component":[{"modifierExtension":[{"url":"u","valueString":"x"}],"code":{"text":"c"},"valueRatio":{"numerator":{"value":1}},"dataAbsentReason":{"text":"n"}},
                          {"code":{"text":"d"},"valueInteger":3},{"code":{"text":"e"},"valueBoolean":false},{"code":{"text":"f"},"valueString":"s"}]}
            """;
        using var document = JsonDocument.Parse(json);

        AssertSameAsSerializer(document.RootElement);
    }
}
