using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Extraction;

/// <summary>
/// The names one bundle gives its patient, each as a patient key of the kind the service keys patients by: the subject
/// reference, the Patient entry's id and fullUrl (<c>Patient/{id}</c>, the server's base left out as in the key), and
/// each Patient identifier with system and value (<c>identifier|{system}|{value}</c>). Names that appear together in one
/// bundle are one person: the service links the records kept under any of them (docs/patients.md).
/// </summary>
public static class PatientAliases
{
    private const string IdentifierPrefix = "identifier|";

    /// <summary>The key of a patient known by its resource id.</summary>
    public static string OfResource(string id) => $"Patient/{id}";

    /// <summary>The key of a patient known by an identifier.</summary>
    public static string OfIdentifier(string system, string value) => $"{IdentifierPrefix}{system}|{value}";

    /// <summary>The system and value of an identifier key; null for a key of another kind.</summary>
    public static (string System, string Value)? IdentifierOf(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        if (!alias.StartsWith(IdentifierPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        // A system is a URI and has no '|'; the value may.
        var rest = alias[IdentifierPrefix.Length..];
        var bar = rest.IndexOf('|', StringComparison.Ordinal);
        return bar <= 0 ? null : (rest[..bar], rest[(bar + 1)..]);
    }

    /// <summary>The keys a stored identity names: its key, its resource id, its identifier (for stores written before aliases were kept).</summary>
    public static IReadOnlyList<string> Of(PatientIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var aliases = new List<string> { identity.Key };
        if (identity.ResourceId is { } id)
        {
            aliases.Add(OfResource(id));
        }

        if (identity.Identifier is { System: { } system, Value: { } value })
        {
            aliases.Add(OfIdentifier(system, value));
        }

        aliases.AddRange(identity.Aliases);
        return Distinct(aliases);
    }

    /// <summary>The primary key first, then the others in the order found, each once.</summary>
    internal static IReadOnlyList<string> Collect(string key, string? subjectResourceId, Identifier? subjectIdentifier, string? entryResourceId, IEnumerable<Identifier>? entryIdentifiers)
    {
        var aliases = new List<string> { key };
        if (subjectResourceId is not null)
        {
            aliases.Add(OfResource(subjectResourceId));
        }

        if (subjectIdentifier is { System: { } subjectSystem, Value: { } subjectValue })
        {
            aliases.Add(OfIdentifier(subjectSystem, subjectValue));
        }

        if (entryResourceId is not null)
        {
            aliases.Add(OfResource(entryResourceId));
        }

        foreach (var identifier in entryIdentifiers ?? [])
        {
            if (identifier is { System: { } system, Value: { } value })
            {
                aliases.Add(OfIdentifier(system, value));
            }
        }

        return Distinct(aliases);
    }

    private static List<string> Distinct(List<string> aliases) => aliases.Distinct(StringComparer.Ordinal).ToList();
}
