using System.Text;
using System.Text.RegularExpressions;
using FhirMmn.Fhir.R4;

namespace FhirMmn.Fhir.Tests.R4;

/// <summary>base64Binary is checked in one pass, with the answers of the R4 pattern it replaces.</summary>
public sealed class Base64Tests
{
    /// <summary>The R4 pattern, anchored; fine for the short values below, exponential for long hostile ones.</summary>
    private static readonly Regex Pattern = new(@"^(\s*([0-9a-zA-Z\+/=]){4}\s*)+\z", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("AAAA", true)]
    [InlineData("AA==", true)]
    [InlineData(" AAAA BBBB\nCCCC\t", true)]
    [InlineData("AAAABBBB", true)]
    [InlineData("AAAAA", false)]
    [InlineData("AA AA", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("AAA-", false)]
    [InlineData("AAAA\u00A0BBBB", true)]
    [InlineData("AAAA\n", true)]
    public void Values_are_judged_as_the_R4_pattern_judges_them(string text, bool valid)
    {
        Assert.Equal(valid, Pattern.IsMatch(text));
        Assert.Equal(valid, Primitives.IsBase64(text));
    }

    [Fact]
    public void Random_short_values_get_the_patterns_answer()
    {
        var random = new Random(20261122);
        const string alphabet = "AZaz09+/=  \t\n\u00A0-_.";
        for (var i = 0; i < 50_000; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 18);
            for (var j = 0; j < length; j++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var text = builder.ToString();
            Assert.True(Pattern.IsMatch(text) == Primitives.IsBase64(text), $"disagree on \"{Regex.Escape(text)}\"");
        }
    }

    [Fact]
    public void A_value_built_to_make_the_pattern_backtrack_is_refused()
    {
        // Repeated "AAAA  " with a bad last character: the backtracking pattern needed seconds at 16 repeats and
        // several times more for each one after; this is 2000 repeats. (A regression hangs here.)
        var hostile = string.Concat(Enumerable.Repeat("AAAA  ", 2000)) + "!";

        Assert.False(Primitives.IsBase64(hostile));
        Assert.True(Primitives.IsBase64(hostile[..^1]));
    }
}
