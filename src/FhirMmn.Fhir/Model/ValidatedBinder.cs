using System.Text.Json;

namespace FhirMmn.Fhir.Model;

/// <summary>
/// Binds JSON that the strict reader has already checked against R4 to the read-side records, directly from
/// the parsed document: the feed reader binds every Observation of every bundle, and this is several times
/// cheaper than the serializer's general path. Elements the records do not model are skipped, as the
/// serializer skips them. A test holds it to the source-generated serializer's result.
/// </summary>
internal static class ValidatedBinder
{
    public static Observation Observation(JsonElement json)
    {
        var o = new Observation();
        foreach (var p in json.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "id": o.Id = v.GetString(); break;
                case "meta": o.Meta = Meta(v); break;
                case "modifierExtension": o.ModifierExtension = List(v, Extension); break;
                case "identifier": o.Identifier = List(v, Identifier); break;
                case "partOf": o.PartOf = List(v, Reference); break;
                case "status": o.Status = v.GetString(); break;
                case "category": o.Category = List(v, CodeableConcept); break;
                case "code": o.Code = CodeableConcept(v); break;
                case "subject": o.Subject = Reference(v); break;
                case "effectiveDateTime": o.EffectiveDateTime = v.GetString(); break;
                case "effectivePeriod": o.EffectivePeriod = Period(v); break;
                case "effectiveTiming": o.EffectiveTiming = v.Clone(); break;
                case "effectiveInstant": o.EffectiveInstant = v.GetString(); break;
                case "issued": o.Issued = v.GetString(); break;
                case "valueQuantity": o.ValueQuantity = Quantity(v); break;
                case "valueCodeableConcept": o.ValueCodeableConcept = CodeableConcept(v); break;
                case "valueString": o.ValueString = v.GetString(); break;
                case "valueBoolean": o.ValueBoolean = v.GetBoolean(); break;
                case "valueInteger": o.ValueInteger = v.GetInt32(); break;
                case "valueRange": o.ValueRange = Range(v); break;
                case "valueRatio": o.ValueRatio = Ratio(v); break;
                case "valueSampledData": o.ValueSampledData = v.Clone(); break;
                case "valueTime": o.ValueTime = v.GetString(); break;
                case "valueDateTime": o.ValueDateTime = v.GetString(); break;
                case "valuePeriod": o.ValuePeriod = Period(v); break;
                case "dataAbsentReason": o.DataAbsentReason = CodeableConcept(v); break;
                case "interpretation": o.Interpretation = List(v, CodeableConcept); break;
                case "bodySite": o.BodySite = CodeableConcept(v); break;
                case "referenceRange": o.ReferenceRange = List(v, ReferenceRange); break;
                case "hasMember": o.HasMember = List(v, Reference); break;
                case "component": o.Component = List(v, Component); break;
            }
        }

        return o;
    }

    public static Patient Patient(JsonElement json)
    {
        var patient = new Patient();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "id": patient.Id = p.Value.GetString(); break;
                case "meta": patient.Meta = Meta(p.Value); break;
                case "identifier": patient.Identifier = List(p.Value, Identifier); break;
            }
        }

        return patient;
    }

    private static List<T> List<T>(JsonElement array, Func<JsonElement, T> item)
    {
        var list = new List<T>(array.GetArrayLength());
        foreach (var element in array.EnumerateArray())
        {
            list.Add(item(element));
        }

        return list;
    }

    private static string Text(JsonElement element) => element.GetString()!;

    private static Meta Meta(JsonElement json)
    {
        var meta = new Meta();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "versionId": meta.VersionId = p.Value.GetString(); break;
                case "lastUpdated": meta.LastUpdated = p.Value.GetString(); break;
                case "source": meta.Source = p.Value.GetString(); break;
                case "profile": meta.Profile = List(p.Value, Text); break;
                case "tag": meta.Tag = List(p.Value, Coding); break;
            }
        }

        return meta;
    }

    private static Extension Extension(JsonElement json)
    {
        var extension = new Extension();
        foreach (var p in json.EnumerateObject())
        {
            if (p.Name == "url")
            {
                extension.Url = p.Value.GetString();
            }
            else
            {
                (extension.Values ??= [])[p.Name] = p.Value.Clone();
            }
        }

        return extension;
    }

    private static Coding Coding(JsonElement json)
    {
        var coding = new Coding();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "system": coding.System = p.Value.GetString(); break;
                case "version": coding.Version = p.Value.GetString(); break;
                case "code": coding.Code = p.Value.GetString(); break;
                case "display": coding.Display = p.Value.GetString(); break;
                case "userSelected": coding.UserSelected = p.Value.GetBoolean(); break;
            }
        }

        return coding;
    }

    private static CodeableConcept CodeableConcept(JsonElement json)
    {
        var concept = new CodeableConcept();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "coding": concept.Coding = List(p.Value, Coding); break;
                case "text": concept.Text = p.Value.GetString(); break;
            }
        }

        return concept;
    }

    private static Quantity Quantity(JsonElement json)
    {
        var quantity = new Quantity();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "value": quantity.Value = p.Value.GetDecimal(); break;
                case "comparator": quantity.Comparator = p.Value.GetString(); break;
                case "unit": quantity.Unit = p.Value.GetString(); break;
                case "system": quantity.System = p.Value.GetString(); break;
                case "code": quantity.Code = p.Value.GetString(); break;
            }
        }

        return quantity;
    }

    private static Range Range(JsonElement json)
    {
        var range = new Range();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "low": range.Low = Quantity(p.Value); break;
                case "high": range.High = Quantity(p.Value); break;
            }
        }

        return range;
    }

    private static Ratio Ratio(JsonElement json)
    {
        var ratio = new Ratio();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "numerator": ratio.Numerator = Quantity(p.Value); break;
                case "denominator": ratio.Denominator = Quantity(p.Value); break;
            }
        }

        return ratio;
    }

    private static Period Period(JsonElement json)
    {
        var period = new Period();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "start": period.Start = p.Value.GetString(); break;
                case "end": period.End = p.Value.GetString(); break;
            }
        }

        return period;
    }

    private static Identifier Identifier(JsonElement json)
    {
        var identifier = new Identifier();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "use": identifier.Use = p.Value.GetString(); break;
                case "type": identifier.Type = CodeableConcept(p.Value); break;
                case "system": identifier.System = p.Value.GetString(); break;
                case "value": identifier.Value = p.Value.GetString(); break;
            }
        }

        return identifier;
    }

    private static Reference Reference(JsonElement json)
    {
        var reference = new Reference();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "reference": reference.ReferenceValue = p.Value.GetString(); break;
                case "type": reference.Type = p.Value.GetString(); break;
                case "identifier": reference.Identifier = Identifier(p.Value); break;
                case "display": reference.Display = p.Value.GetString(); break;
            }
        }

        return reference;
    }

    private static ObservationReferenceRange ReferenceRange(JsonElement json)
    {
        var range = new ObservationReferenceRange();
        foreach (var p in json.EnumerateObject())
        {
            switch (p.Name)
            {
                case "low": range.Low = Quantity(p.Value); break;
                case "high": range.High = Quantity(p.Value); break;
                case "text": range.Text = p.Value.GetString(); break;
            }
        }

        return range;
    }

    private static ObservationComponent Component(JsonElement json)
    {
        var component = new ObservationComponent();
        foreach (var p in json.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "modifierExtension": component.ModifierExtension = List(v, Extension); break;
                case "code": component.Code = CodeableConcept(v); break;
                case "valueQuantity": component.ValueQuantity = Quantity(v); break;
                case "valueCodeableConcept": component.ValueCodeableConcept = CodeableConcept(v); break;
                case "valueString": component.ValueString = v.GetString(); break;
                case "valueBoolean": component.ValueBoolean = v.GetBoolean(); break;
                case "valueInteger": component.ValueInteger = v.GetInt32(); break;
                case "dataAbsentReason": component.DataAbsentReason = CodeableConcept(v); break;
            }
        }

        return component;
    }
}
