using System.Text;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Cli.Tests;

/// <summary>
/// Thousands of damaged bundles, made from the examples by truncation, byte flips and type swaps: every one
/// ends in exit 0 with a Bundle or exit 2 with an OperationOutcome; never an internal error, never a trace.
/// </summary>
public sealed class HostileInputTests
{
    public static TheoryData<string> Examples() =>
        new(Directory.GetFiles(Repository.PathOf("examples"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Damaged_bundles_never_crash_the_classifier(string example)
    {
        var original = File.ReadAllText(Repository.PathOf("examples", example));
        var random = new Random(example.Length * 7919);
        var cases = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            cases.Add(original[..random.Next(original.Length)]);
            var bytes = Encoding.UTF8.GetBytes(original);
            bytes[random.Next(bytes.Length)] = (byte)random.Next(32, 127);
            cases.Add(Encoding.UTF8.GetString(bytes));
        }

        foreach (var (from, to) in Swaps)
        {
            var index = original.IndexOf(from, StringComparison.Ordinal);
            if (index >= 0)
            {
                cases.Add(original[..index] + to + original[(index + from.Length)..]);
            }
        }

        foreach (var text in cases)
        {
            var (exit, output, error) = CliTests.Run(text, "classify", "-", "--compact");

            Assert.True(exit is 0 or 2, $"exit {exit}: {error}");
            Assert.DoesNotContain("Internal error", error, StringComparison.Ordinal);
            using var document = JsonDocument.Parse(output);
            Assert.Equal(exit == 0 ? "Bundle" : "OperationOutcome", document.RootElement.GetProperty("resourceType").GetString());
        }
    }

    private static readonly (string From, string To)[] Swaps =
    [
        ("\"value\": 10.2", "\"value\": 1e400"),
        ("\"value\": 10.2", "\"value\": -0"),
        ("\"value\": 10.2", "\"value\": 79228162514264337593543950335"),
        ("\"value\": 10.2", "\"value\": 0.000000000000000000000000001"),
        ("\"value\": 10.2", "\"value\": null"),
        ("\"value\": 10.2", "\"value\": {}"),
        ("\"value\": 10.2", "\"value\": [10.2]"),
        ("\"status\": \"final\"", "\"status\": \"entered-in-error\""),
        ("\"status\": \"final\"", "\"status\": 1"),
        ("\"resourceType\": \"Observation\"", "\"resourceType\": \"Observation\", \"contained\": [{\"resourceType\": \"Observation\"}]"),
        ("\"resourceType\": \"Bundle\"", "\"resourceType\": \"Bundle\", \"resourceType\": \"Patient\""),
        ("\"code\": \"mV\"", "\"code\": \"\\u0000\""),
        ("\"reference\": \"Patient/", "\"reference\": \"urn:uuid:"),
        ("\"valueBoolean\": false", "\"valueBoolean\": \"false\""),
        ("\"valueInteger\": 2", "\"valueInteger\": 2147483648"),
        ("\"valueInteger\": 2", "\"valueInteger\": -2"),
        ("\"effectiveDateTime\": \"", "\"effectiveDateTime\": \"9999-12-31T23:59:60+14:00\", \"issued\": \""),
        ("\"entry\": [", "\"entry\": [{}, "),
    ];

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        var deep = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        var (exit, output, _) = CliTests.Run(deep, "classify", "-");

        Assert.Equal(2, exit);
        Assert.Contains("OperationOutcome", output, StringComparison.Ordinal);
    }
}
