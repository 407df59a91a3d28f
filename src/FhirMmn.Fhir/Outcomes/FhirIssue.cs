using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Outcomes;

public enum IssueSeverity
{
    Fatal,
    Error,
    Warning,
    Information,
}

/// <summary>
/// One problem, as it goes into an OperationOutcome. Messages name what FhirMmn expected and where;
/// they never repeat a value from the input (a patient's data must not leak into an outcome or a log).
/// </summary>
public sealed record FhirIssue(IssueSeverity Severity, string Code, string Message, string? Expression = null)
{
    public static FhirIssue Error(string code, string message, string? expression = null) => new(IssueSeverity.Error, code, message, expression);

    public static FhirIssue Warning(string code, string message, string? expression = null) => new(IssueSeverity.Warning, code, message, expression);

    public static FhirIssue Information(string code, string message, string? expression = null) => new(IssueSeverity.Information, code, message, expression);

    public bool IsError => Severity is IssueSeverity.Error or IssueSeverity.Fatal;
}

/// <summary>FHIR IssueType codes used by FhirMmn (http://hl7.org/fhir/issue-type).</summary>
public static class IssueCodes
{
    public const string Invalid = "invalid";
    public const string Structure = "structure";
    public const string Required = "required";
    public const string Value = "value";
    public const string Invariant = "invariant";
    public const string CodeInvalid = "code-invalid";
    public const string NotSupported = "not-supported";
    public const string BusinessRule = "business-rule";
    public const string TooLong = "too-long";
    public const string Processing = "processing";
    public const string Informational = "informational";
    public const string Duplicate = "duplicate";
    public const string Security = "security";
    public const string Forbidden = "forbidden";
    public const string Login = "login";
    public const string NotFound = "not-found";
    public const string Transient = "transient";
    public const string Exception = "exception";
    public const string Incomplete = "incomplete";
    public const string Conflict = "conflict";
    public const string Throttled = "throttled";
    public const string MultipleMatches = "multiple-matches";
}

public static class OperationOutcomes
{
    public static OperationOutcome From(IEnumerable<FhirIssue> issues, string? id = null)
    {
        var list = issues.Select(i => new OperationOutcomeIssue
        {
            Severity = i.Severity switch
            {
                IssueSeverity.Fatal => "fatal",
                IssueSeverity.Error => "error",
                IssueSeverity.Warning => "warning",
                _ => "information",
            },
            Code = i.Code,
            Details = CodeableConcept.OfText(i.Message),
            Expression = i.Expression is null ? null : [i.Expression],
        }).ToList();
        if (list.Count == 0)
        {
            list.Add(new OperationOutcomeIssue { Severity = "information", Code = IssueCodes.Informational, Details = CodeableConcept.OfText("No issues.") });
        }

        return new OperationOutcome { Id = id, Issue = list };
    }

    public static OperationOutcome Of(string code, string message, string? id = null, IssueSeverity severity = IssueSeverity.Error) =>
        From([new FhirIssue(severity, code, message)], id);
}
