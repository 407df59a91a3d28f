namespace FhirMmn.Testing;

/// <summary>
/// Both independent validators on one output: Medplum's (R4 structure, cardinality, types) and Firely's (R4 core
/// and the FhirMmn profiles with local terminology). Valid means neither reports an error, and Firely no warning.
/// Every place that checks what FhirMmn outputs goes through here.
/// </summary>
public static class IndependentValidators
{
    public static ValidationResult Validate(string json)
    {
        var medplum = R4Validator.Shared.Validate(json);
        var firely = FirelyValidator.Validate(json);
        return new ValidationResult(medplum.Valid && firely.Valid, [.. medplum.Issues.Select(i => "medplum: " + i), .. firely.Issues]);
    }
}
