using System.Text.RegularExpressions;

namespace FhirMmn.Fhir.Extraction;

/// <summary>A RESTful reference, split: [base/]Type/id[/_history/version].</summary>
public sealed record RestfulReference(string? Base, string Type, string Id, string? Version)
{
    public string Relative => $"{Type}/{Id}";

    public bool SameResource(RestfulReference other) =>
        Type == other.Type && Id == other.Id && (Base is null || other.Base is null || Base == other.Base);
}

/// <summary>Reference resolution inside a bundle (FHIR R4 Bundle, "Resolving references in Bundles").</summary>
public static partial class References
{
    [GeneratedRegex(@"^(?<base>https?://\S+?)/(?<type>[A-Z][A-Za-z]+)/(?<id>[A-Za-z0-9\-\.]{1,64})(/_history/(?<vid>[A-Za-z0-9\-\.]{1,64}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex AbsoluteRestful();

    [GeneratedRegex(@"^(?<type>[A-Z][A-Za-z]+)/(?<id>[A-Za-z0-9\-\.]{1,64})(/_history/(?<vid>[A-Za-z0-9\-\.]{1,64}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativeRestful();

    public static RestfulReference? ParseRestful(string? reference)
    {
        if (reference is null)
        {
            return null;
        }

        var match = AbsoluteRestful().Match(reference);
        if (!match.Success)
        {
            match = RelativeRestful().Match(reference);
        }

        if (!match.Success)
        {
            return null;
        }

        return new RestfulReference(
            match.Groups["base"].Success ? match.Groups["base"].Value : null,
            match.Groups["type"].Value,
            match.Groups["id"].Value,
            match.Groups["vid"].Success ? match.Groups["vid"].Value : null);
    }

    public static bool IsUrn(string? reference) => reference?.StartsWith("urn:", StringComparison.Ordinal) == true;

    /// <summary>
    /// Resolves a reference against the fullUrl of the entry it appears in: a relative reference in an
    /// entry with a RESTful fullUrl takes that server's base; everything else stays as it is.
    /// </summary>
    public static string Resolve(string reference, string? contextFullUrl)
    {
        if (IsUrn(reference) || reference.Contains("://", StringComparison.Ordinal))
        {
            return reference;
        }

        var context = ParseRestful(contextFullUrl);
        return context?.Base is { } serverBase && RelativeRestful().IsMatch(reference)
            ? $"{serverBase}/{reference}"
            : reference;
    }
}
