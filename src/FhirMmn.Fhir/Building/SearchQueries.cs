namespace FhirMmn.Fhir.Building;

/// <summary>Search queries the write-back uses in conditional references and conditional writes.</summary>
public static class SearchQueries
{
    /// <summary><c>identifier=system|value</c>, each part escaped, as the conditional reference to a patient known only by identifier carries it.</summary>
    public static string Identifier(string system, string value) =>
        "identifier=" + Uri.EscapeDataString(system) + "|" + Uri.EscapeDataString(value);

    /// <summary>The reference to a patient known only by identifier: <c>Patient?identifier=system|value</c>.</summary>
    public static string PatientByIdentifier(string system, string value) => "Patient?" + Identifier(system, value);
}
