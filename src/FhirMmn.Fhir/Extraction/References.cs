using System.Buffers;
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
    internal static partial Regex AbsoluteRestful();

    [GeneratedRegex(@"^(?<type>[A-Z][A-Za-z]+)/(?<id>[A-Za-z0-9\-\.]{1,64})(/_history/(?<vid>[A-Za-z0-9\-\.]{1,64}))?$", RegexOptions.CultureInvariant)]
    internal static partial Regex RelativeRestful();

    /// <summary>The letters of a resource type after its first, <c>[A-Za-z]</c>.</summary>
    private static readonly SearchValues<char> Letters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>The characters of an id or a version id, <c>[A-Za-z0-9\-\.]</c>.</summary>
    private static readonly SearchValues<char> IdChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.");

    /// <summary>
    /// Splits a RESTful reference, absolute (<see cref="AbsoluteRestful"/>) or relative
    /// (<see cref="RelativeRestful"/>); null when it is neither. Hand-written, with exactly the
    /// regular expressions' answers (<see cref="ParseRestfulByRegex"/>; the differential tests compare them).
    /// </summary>
    public static RestfulReference? ParseRestful(string? reference)
    {
        if (reference is null)
        {
            return null;
        }

        var text = WithoutFinalNewline(reference);
        return ParseAbsolute(reference, text) ?? ParseRelative(reference, text);
    }

    /// <summary>The regular-expression form of <see cref="ParseRestful"/>: the specification of its results.</summary>
    internal static RestfulReference? ParseRestfulByRegex(string? reference)
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
        return context?.Base is { } serverBase && IsRelativeRestful(reference)
            ? $"{serverBase}/{reference}"
            : reference;
    }

    /// <summary>Whether <see cref="RelativeRestful"/> matches, without running it.</summary>
    internal static bool IsRelativeRestful(string reference)
    {
        var text = WithoutFinalNewline(reference);
        return SplitPath(text, out _, out _, out _, out _);
    }

    /// <summary>
    /// The part of the text the patterns must match: <c>$</c> (without RegexOptions.Multiline) also
    /// matches before a final line feed, and no pattern can end on one.
    /// </summary>
    private static ReadOnlySpan<char> WithoutFinalNewline(string reference) =>
        reference.EndsWith('\n') ? reference.AsSpan(0, reference.Length - 1) : reference.AsSpan();

    /// <summary>
    /// <see cref="AbsoluteRestful"/>: https?:// and a base of one or more non-white-space characters,
    /// then "/Type/id" or "/Type/id/_history/vid". Only a slash with exactly three or one slashes
    /// after it can start that tail, and the lazy base would take the first that works; in fact at most
    /// one can (with three, the one-slash tail would have "_history" as its type).
    /// </summary>
    private static RestfulReference? ParseAbsolute(string reference, ReadOnlySpan<char> text)
    {
        var scheme = text.StartsWith("https://", StringComparison.Ordinal) ? 8
            : text.StartsWith("http://", StringComparison.Ordinal) ? 7
            : -1;
        if (scheme < 0)
        {
            return null;
        }

        // The slashes from the end: last, second to last, and so on.
        var s1 = text.LastIndexOf('/');
        var s2 = s1 > 0 ? text[..s1].LastIndexOf('/') : -1;
        var s3 = s2 > 0 ? text[..s2].LastIndexOf('/') : -1;
        var s4 = s3 > 0 ? text[..s3].LastIndexOf('/') : -1;

        int baseEnd;
        Range type, id, version;
        bool versioned;
        if (s4 > scheme && SplitPath(text, s4 + 1, out type, out id, out version, out versioned))
        {
            baseEnd = s4;
        }
        else if (s2 > scheme && SplitPath(text, s2 + 1, out type, out id, out version, out versioned))
        {
            baseEnd = s2;
        }
        else
        {
            return null;
        }

        // \S+? : a later start of the tail would only lengthen the base, so white space here is final.
        foreach (var c in text[scheme..baseEnd])
        {
            if (char.IsWhiteSpace(c))
            {
                return null;
            }
        }

        return new RestfulReference(reference[..baseEnd], reference[type], reference[id], versioned ? reference[version] : null);
    }

    /// <summary><see cref="RelativeRestful"/>: the whole text is "Type/id" or "Type/id/_history/vid".</summary>
    private static RestfulReference? ParseRelative(string reference, ReadOnlySpan<char> text) =>
        SplitPath(text, out var type, out var id, out var version, out var versioned)
            ? new RestfulReference(null, reference[type], reference[id], versioned ? reference[version] : null)
            : null;

    private static bool SplitPath(ReadOnlySpan<char> text, out Range type, out Range id, out Range version, out bool versioned) =>
        SplitPath(text, 0, out type, out id, out version, out versioned);

    /// <summary>
    /// Whether <c>text[start..]</c> is exactly <c>[A-Z][A-Za-z]+/[A-Za-z0-9\-\.]{1,64}(/_history/[A-Za-z0-9\-\.]{1,64})?</c>;
    /// the parts as ranges of <paramref name="text"/>.
    /// </summary>
    private static bool SplitPath(ReadOnlySpan<char> text, int start, out Range type, out Range id, out Range version, out bool versioned)
    {
        type = id = version = default;
        versioned = false;

        // The type: letters up to the first slash.
        var path = text[start..];
        var slash = path.IndexOf('/');
        if (slash < 2 || !char.IsAsciiLetterUpper(path[0]) || path[1..slash].ContainsAnyExcept(Letters))
        {
            return false;
        }

        type = new Range(start, start + slash);
        var idStart = start + slash + 1;
        var idLength = IdLength(text[idStart..]);
        if (idLength == 0)
        {
            return false;
        }

        id = new Range(idStart, idStart + idLength);
        var rest = text[(idStart + idLength)..];
        if (rest.IsEmpty)
        {
            return true;
        }

        if (!rest.StartsWith("/_history/", StringComparison.Ordinal))
        {
            return false;
        }

        var versionStart = idStart + idLength + "/_history/".Length;
        var versionLength = IdLength(text[versionStart..]);
        if (versionLength == 0 || versionStart + versionLength != text.Length)
        {
            return false;
        }

        version = new Range(versionStart, versionStart + versionLength);
        versioned = true;
        return true;
    }

    /// <summary>The length of the id (1-64 of A-Z, a-z, 0-9, '-', '.') that starts the text and ends at a slash or the end; 0 when there is none.</summary>
    private static int IdLength(ReadOnlySpan<char> text)
    {
        var length = text.IndexOfAnyExcept(IdChars);
        length = length < 0 ? text.Length : length;
        return length is >= 1 and <= 64 && (length == text.Length || text[length] == '/') ? length : 0;
    }
}
