using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// What every broker checks of a delivery before its bundle is read, with the reasons the HTTP intake gives: the
/// content type (HTTP 415) and the feed (HTTP 403). The bundle itself is read, and refused, by the consumer like any
/// other (HTTP 400, 413, 422). The names a hospital publisher sets are the same on both brokers.
/// </summary>
internal static partial class BrokerEdge
{
    /// <summary>The feed of a message: an application property (Service Bus) or header (RabbitMQ); absent, the service's feed.</summary>
    public const string FeedProperty = "feed";

    /// <summary>Set by this service on the copies it schedules or resubmits: the message's ledger id.</summary>
    public const string LedgerIdProperty = "fhirmmn-message-id";

    /// <summary>On a dead letter: the OperationOutcome (JSON), its issue code and a description without patient data.</summary>
    public const string OutcomeProperty = "fhirmmn-outcome";
    public const string ReasonProperty = "fhirmmn-reason";
    public const string DescriptionProperty = "fhirmmn-description";

    /// <summary>The longest OperationOutcome carried on a dead letter (brokers limit the size of properties); the ledger keeps it whole.</summary>
    private const int MaxOutcomeChars = 16 * 1024;

    [GeneratedRegex("^[A-Za-z0-9\\-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    /// <summary>The publisher's correlation id when it is a plain token (as the HTTP intake takes it), else a new one.</summary>
    public static string CorrelationOf(string? given) => given is not null && Token().IsMatch(given) ? given : Guid.NewGuid().ToString("N");

    /// <summary>Why a delivery is refused before its bundle is read; null when it may be read.</summary>
    public static OperationOutcome? Refusal(string? contentType, string? feed, string serviceFeed, string correlationId)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type)
            || type.MediaType is not ("application/fhir+json" or "application/json")
            || (type.CharSet is not null && !type.CharSet.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return OperationOutcomes.Of(IssueCodes.NotSupported,
                "The message's content type is not application/fhir+json (or application/json): set it to application/fhir+json.", correlationId);
        }

        return feed is not null && feed != serviceFeed
            ? OperationOutcomes.Of(IssueCodes.Forbidden, "The message names a feed that is not configured on this service.", correlationId)
            : null;
    }

    /// <summary>The dead-letter reason (the first error's issue code) and a description that names the rule broken, never a value.</summary>
    public static (string Reason, string Description) Reason(string outcomeJson)
    {
        var code = IssueCodes.Processing;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(outcomeJson);
            if (document.RootElement.TryGetProperty("issue", out var issues) && issues.GetArrayLength() > 0
                && issues[0].TryGetProperty("code", out var first) && first.GetString() is { Length: > 0 } text)
            {
                code = text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // The code stays "processing".
        }

        return (code, code switch
        {
            IssueCodes.NotSupported => "The message is not a FHIR JSON bundle (content type or media type).",
            IssueCodes.Forbidden => "The message's feed is not configured on this service.",
            IssueCodes.TooLong => "The bundle is larger than FhirMmn:MaxBundleBytes.",
            IssueCodes.Exception => "The message failed more deliveries than FhirMmn:MaxDeliveries allows (unexpected errors).",
            IssueCodes.Structure or IssueCodes.Invalid or IssueCodes.Invariant or IssueCodes.Value or IssueCodes.Required =>
                "The message is not a valid FHIR R4 Bundle; the OperationOutcome says where.",
            IssueCodes.BusinessRule or IssueCodes.CodeInvalid => "The bundle breaks the feed contract; the OperationOutcome says which rule.",
            _ => "The message was refused; the OperationOutcome says why.",
        });
    }

    /// <summary>The OperationOutcome as carried on a dead letter: whole, or cut to its first issues when it is too long.</summary>
    public static string Carried(string outcomeJson, string correlationId) =>
        outcomeJson.Length <= MaxOutcomeChars
            ? outcomeJson
            : FhirJson.Serialize(OperationOutcomes.Of(Reason(outcomeJson).Reason,
                "The OperationOutcome is too long to carry here; GET /messages/{id} on the service gives it whole.", correlationId));
}
