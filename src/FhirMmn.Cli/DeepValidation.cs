using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Outcomes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using IssueSeverity = FhirMmn.Fhir.Outcomes.IssueSeverity;

namespace FhirMmn.Cli;

/// <summary>
/// `validate --profiles`: the deep validation of a feed bundle for integration engineers before go-live (issue 12
/// item 5). Firely's findings become issues with the location (expression), the issue type, the rule (an invariant's
/// key or Firely's issue number) and FhirMmn's own words. Firely's messages can quote a value from the input, so not one
/// of them is shown.
/// </summary>
internal static class DeepValidation
{
    private static readonly Lazy<(ProfileValidator Validator, IReadOnlyDictionary<string, string> Rules)> Engine = new(Load);

    /// <summary>The deep findings for the input; none for an input the reader refused as too large, not UTF-8 or not JSON.</summary>
    public static IReadOnlyList<FhirIssue> Check(ReadOnlyMemory<byte> utf8, FeedReadResult read)
    {
        if (read.Refusal is FeedRefusal.TooLarge or FeedRefusal.NotJson || !IsJson(utf8))
        {
            return [FhirIssue.Information(IssueCodes.Informational, "The profiles were not checked: the input is not FHIR JSON that can be read.")];
        }

        var (validator, rules) = Engine.Value;
        var findings = validator.Validate(System.Text.Encoding.UTF8.GetString(utf8.Span));
        var issues = findings.Select(f => Issue(f, rules)).Distinct().ToList();
        if (!issues.Any(i => i.IsError))
        {
            issues.Add(FhirIssue.Information(IssueCodes.Informational,
                "Checked deeply against R4 and the FhirMmn profiles, entry by entry: " + (issues.Count == 0 ? "no error, no warning." : "no error.")));
        }

        return issues;
    }

    private static FhirIssue Issue(ProfileFinding finding, IReadOnlyDictionary<string, string> rules)
    {
        var profile = finding.Profile.StartsWith(ProfileValidator.CanonicalBase, StringComparison.Ordinal)
            ? finding.Profile[ProfileValidator.CanonicalBase.Length..]
            : finding.Profile == "R4" ? "R4" : "R4 " + finding.Profile[(finding.Profile.LastIndexOf('/') + 1)..];
        var words = finding.Rule.Contains('-', StringComparison.Ordinal)
            ? $"Fails rule {finding.Rule}" + (rules.TryGetValue(finding.Rule, out var human) ? $": {human}" : ".")
            : Words(finding.Code, finding.Rule);
        var severity = finding.Severity switch
        {
            OperationOutcome.IssueSeverity.Fatal => IssueSeverity.Fatal,
            OperationOutcome.IssueSeverity.Error => IssueSeverity.Error,
            _ => IssueSeverity.Warning,
        };
        return new FhirIssue(severity, finding.Code.GetLiteral() ?? IssueCodes.Invalid, $"{words} (profile {profile}; Firely rule {finding.Rule})", finding.Location);
    }

    /// <summary>FhirMmn's words for a kind of finding; never the validator's, which can carry a value.</summary>
    private static string Words(OperationOutcome.IssueType code, string rule) => (code, rule) switch
    {
        (_, "1028") => "An element occurs fewer or more times than the profile allows.",
        (_, "1011" or "1012") => "An element has a type the profile does not allow here.",
        (_, "parse") => "Not FHIR R4 JSON at this place.",
        (OperationOutcome.IssueType.CodeInvalid, _) => "A code is not in the value set it is bound to, or its display is not its code system's.",
        (OperationOutcome.IssueType.Invariant, _) => "A rule of the profile is not met.",
        (OperationOutcome.IssueType.Structure, _) => "Not the structure R4 or the profile requires at this place.",
        (OperationOutcome.IssueType.Required, _) => "A required element is missing.",
        (OperationOutcome.IssueType.Value, _) => "A value does not have the form its type requires.",
        (OperationOutcome.IssueType.Informational, _) => "A code or display that its code system does not confirm.",
        _ => "Does not conform to the profile at this place.",
    };

    private static bool IsJson(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (ProfileValidator, IReadOnlyDictionary<string, string>) Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "profiles");
        ProfileValidator validator;
        try
        {
            validator = ProfileValidator.BesideProgram();
        }
        catch (IOException)
        {
            throw new CliApp.UsageException("validate --profiles needs the profiles folder and specification.zip beside fhirmmn; reinstall the command line.");
        }

        // The human text of each FhirMmn invariant: words of the profiles, not of the input.
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder, "StructureDefinition-*.json"))
        {
            foreach (var element in JsonNode.Parse(File.ReadAllText(file))?["snapshot"]?["element"]?.AsArray() ?? [])
            {
                foreach (var constraint in element?["constraint"]?.AsArray() ?? [])
                {
                    if (constraint?["key"]?.GetValue<string>() is { } key && key.StartsWith("mmn-", StringComparison.Ordinal) && constraint["human"]?.GetValue<string>() is { } human)
                    {
                        rules[key] = human;
                    }
                }
            }
        }

        return (validator, rules);
    }
}
