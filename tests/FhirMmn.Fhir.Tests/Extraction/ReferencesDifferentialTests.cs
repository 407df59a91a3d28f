using System.Text;
using System.Text.Json;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Tests.Extraction;

/// <summary>
/// The hand-written reference parser against the regular expressions it stands in for
/// (<see cref="References.AbsoluteRestful"/>, <see cref="References.RelativeRestful"/>): the same parts, to the character.
/// </summary>
public sealed class ReferencesDifferentialTests
{
    private const int RandomCount = 60_000;

    private static readonly string Id64 = new('a', 64);

    private static readonly string Id65 = new('a', 65);

    private static readonly string[] EdgeCases =
    [
        "", "/", "//", "Patient", "Patient/", "/1", "Patient/1", "Patient/1/", "Patient/1/_history", "Patient/1/_history/", "Patient/1/_history/2",
        "Patient/1/_history/2/", "Patient/1/_history/2/3", "Patient/1/history/2", "Patient/1/_History/2", "Patient/a.b-c", "Patient/a_b", "Patient/a b",
        "P/1", "Pa/1", "patient/1", "PAtient/1", "Patient1/1", "Pat-ient/1", "Patiënt/1", "Patient/é", "Patient/1\n", "Patient/1\n\n", "Patient/1\r\n",
        "Patient/1 ", " Patient/1", "\nPatient/1", "Patient/1/_history/2\n", "Patient//1", "Patient/1//_history/2", "Patient/" + Id64, "Patient/" + Id65,
        "Patient/1/_history/" + Id64, "Patient/1/_history/" + Id65, Id64 + "/1", "Patient/" + Id64 + "\n", "Patient/_history/1",

        "http://a/Patient/1", "https://a/Patient/1", "http://a/Patient/1/_history/2", "http://a/b/Patient/1/_history/2", "http://x/Observation/Patient/1",
        "http://x/Observation/Patient/1/_history/2", "http://x/A/Bb/_history/Cc/1", "http://x/Patient/1/_history/2/_history/3",
        "http://x/Patient/1/_history/Patient/2", "http://x/Patient/Patient/_history/Patient/2", "http://x/_history/Patient/1/_history/2",
        "http:///Patient/1", "http:////Patient/1", "https:/ab/Patient/1", "http:/ab/Patient/1", "https:xx/Patient/1", "httpsx//ab/Patient/1", "http://Patient/1", "http:/a/Patient/1", "http//a/Patient/1", "ftp://a/Patient/1", "HTTP://a/Patient/1",
        "httpss://a/Patient/1", "https:/a/Patient/1", "http://a b/Patient/1", "http://a\tb/Patient/1", "http://a\u00A0b/Patient/1", "http://a\u2003/Patient/1",
        "http://é/Patient/1", "http://a/Patient/1\n", "http://a/Patient/1/_history/2\n", "http://a/Patient/1\n\n", "http://a/Patient/1 ",
        "http://a\n/Patient/1", "http://a/Patient/" + Id64, "http://a/Patient/" + Id65, "http://a/Patient/1/_history/" + Id65,
        "http://a/Patient/" + Id65 + "/Patient/1", "http://a:8080/fhir/R4/Patient/1", "https://a.b/fhir/Patient/x-y.z/_history/3",
        "http://a/b c/Patient/1/_history/2", "http://a/b/Patient/1/_history/2 ", "http://a/b/P/1/_history/2", "http://a/Patient/1/_history/2/3",
        "http://a/Patient/1?x=y", "http://a/Patient/1#x", "http://a/Patient/Patient/1", "http://a/Patient/1/Patient/2", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520",
        "Patient/http://a", "http://a/Patient/1/_history/Patient/2", "http://a/Patient/_history/_history/2", "https://Patient/1/_history/2",
        "http://a/Patient/1/_history/2/_history/3", "http://a/\n/Patient/1",
    ];

    private static readonly string?[] Contexts =
    [
        null, "", "http://a/Patient/1", "https://b.org/fhir/Observation/x/_history/2", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520",
        "Patient/1", "http://a b/Patient/1", "http://a/Patient/1\n", "http://x/Observation/Patient/1",
    ];

    private static readonly string[] Tokens =
    [
        "http://", "https://", "http:/", "https:/", "http", "s", "://", "a", "b.c", "x-y", "Patient", "Observation", "P", "p", "Pa", "1", "42", "a.b-c", "/", "/", "/",
        "/", "//", "_history", "/_history/", "_History", " ", "\t", "\n", "\u00A0", "é", ":", "?", "#", "urn:uuid:", "-", ".", "_", Id64, Id65, "Z", "z",
    ];

    public static TheoryData<string> Cases() => new(EdgeCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Edge_cases_split_the_same_way(string reference)
    {
        Assert.Equal(References.ParseRestfulByRegex(reference), References.ParseRestful(reference));
        Assert.Equal(References.RelativeRestful().IsMatch(reference), References.IsRelativeRestful(reference));
        foreach (var context in Contexts)
        {
            Assert.Equal(ResolveByRegex(reference, context), References.Resolve(reference, context));
        }
    }

    [Fact]
    public void Null_is_no_reference()
    {
        Assert.Null(References.ParseRestful(null));
        Assert.Null(References.ParseRestfulByRegex(null));
    }

    [Fact]
    public void The_lazy_base_is_the_shortest_that_works()
    {
        Assert.Equal(new RestfulReference("http://a/b", "Patient", "1", "2"), References.ParseRestful("http://a/b/Patient/1/_history/2"));
        Assert.Equal(new RestfulReference("http://x/Observation", "Patient", "1", null), References.ParseRestful("http://x/Observation/Patient/1"));
        Assert.Equal(new RestfulReference("http://x", "Patient", "1", "2"), References.ParseRestful("http://x/Patient/1/_history/2"));
        Assert.Equal(new RestfulReference(null, "Patient", "1", null), References.ParseRestful("Patient/1\n"));
    }

    [Fact]
    public void Random_references_split_the_same_way()
    {
        var random = new Random(20261014);
        var failures = new List<string>();
        for (var i = 0; i < RandomCount; i++)
        {
            var reference = random.Next(2) == 0 ? Shaped(random) : Noise(random);
            var context = random.Next(3) == 0 ? Shaped(random) : Contexts[random.Next(Contexts.Length)];

            var parsed = References.ParseRestful(reference);
            var expected = References.ParseRestfulByRegex(reference);
            var relative = References.IsRelativeRestful(reference);
            var resolved = References.Resolve(reference, context);
            if ((parsed != expected || relative != References.RelativeRestful().IsMatch(reference) || resolved != ResolveByRegex(reference, context))
                && failures.Count < 20)
            {
                failures.Add($"{JsonSerializer.Serialize(reference)} in {JsonSerializer.Serialize(context)}: {parsed} / {expected}, {relative}, {resolved}");
            }
        }

        Assert.Empty(failures);
    }

    /// <summary>The old <see cref="References.Resolve"/>, on the regular expressions.</summary>
    private static string ResolveByRegex(string reference, string? contextFullUrl)
    {
        if (References.IsUrn(reference) || reference.Contains("://", StringComparison.Ordinal))
        {
            return reference;
        }

        var context = References.ParseRestfulByRegex(contextFullUrl);
        return context?.Base is { } serverBase && References.RelativeRestful().IsMatch(reference)
            ? $"{serverBase}/{reference}"
            : reference;
    }

    private static string Noise(Random random)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            builder.Append(Tokens[random.Next(Tokens.Length)]);
        }

        return builder.ToString();
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];

    /// <summary>[scheme base/]Type/id[/_history/vid][\n], each part mostly right, sometimes wrong.</summary>
    private static string Shaped(Random random)
    {
        var parts = new List<string>();
        if (random.Next(3) > 0)
        {
            var scheme = Pick(random, "http://", "https://", "http://", "https://", "http:/", "https:/", "ftp://", "HTTP://", "http:///", "");
            var segments = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Pick(random, "a", "b.org", "fhir", "R4", "Patient", "Observation", "_history", "1", "x y", "é", "", "a:80"));
            parts.Add(scheme + string.Join('/', segments));
        }

        parts.Add(Pick(random, "Patient", "Patient", "Observation", "Procedure", "P", "Pa", "patient", "Pat1ent", "_history", "", "Patiënt"));
        parts.Add(Id(random));
        if (random.Next(3) == 0)
        {
            parts.Add(Pick(random, "_history", "_history", "_history", "history", "_History", ""));
            parts.Add(Id(random));
        }

        if (random.Next(8) == 0)
        {
            parts.Add(Pick(random, "Patient", "_history", "1", ""));
        }

        var text = string.Join(Pick(random, "/", "/", "/", "/", "/", "/", "/", "//"), parts);
        return random.Next(6) == 0 ? text + Pick(random, "\n", "\n", "\n\n", " ", "\r\n", "\t") : text;
    }

    private static string Id(Random random)
    {
        const string Chars = "abcXYZ0189-.";
        var length = random.Next(10) == 0 ? random.Next(60, 68) : random.Next(0, 6);
        var id = new string([.. Enumerable.Range(0, length).Select(_ => Chars[random.Next(Chars.Length)])]);
        return random.Next(15) == 0 ? id + Pick(random, " ", "_", "é", "\u00A0", ":") : id;
    }
}
