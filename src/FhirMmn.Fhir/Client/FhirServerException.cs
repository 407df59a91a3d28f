using System.Net;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Client;

/// <summary>
/// A failed call to the FHIR server. <see cref="StatusCode"/> 0 means no answer (connection refused,
/// timeout, circuit open). The message is FhirMmn's own and never holds response content or a message of
/// Firely's SDK (both may quote patient data); <see cref="Outcome"/> holds the server's issues.
/// </summary>
public sealed class FhirServerException : Exception
{
    public FhirServerException()
    {
    }

    public FhirServerException(string message)
        : base(message)
    {
    }

    public FhirServerException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FhirServerException(int statusCode, string message, TimeSpan? retryAfter = null, OperationOutcome? outcome = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
        Outcome = outcome;
    }

    /// <summary>
    /// The request may have been applied although no success came back (a connection lost after sending, a timeout,
    /// a gateway's 502 or 504): before writing again, read what the server holds.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>
    /// A condition (a conditional create, update or reference, or a search for one resource) matched more than one
    /// resource on the server: no retry resolves it, so the message is dead-lettered (issue code multiple-matches).
    /// </summary>
    public bool MultipleMatches { get; init; }

    public int StatusCode { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The server's OperationOutcome, when it gave one.</summary>
    public OperationOutcome? Outcome { get; }

    /// <summary>Worth trying again later: no answer, 408, 429, 5xx, or an authorisation the operator can fix.</summary>
    public bool IsTransient => StatusCode is 0 or 401 or 403 or 408 or 429 or >= 500;

    /// <summary>A version conflict (ifMatch): re-read, re-merge, retry.</summary>
    public bool IsConflict => StatusCode is 409 or 412 && !MultipleMatches;
}

/// <summary>
/// What a failed call says about whether the server applied it. A FHIR transaction is all or nothing, so a server's
/// own error status means nothing was written; a lost connection or a gateway's error does not say.
/// </summary>
public static class FailedCalls
{
    /// <summary>The request never left: no connection, no name, no TLS.</summary>
    public static bool NeverSent(HttpRequestException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
    }

    /// <summary>
    /// An answer that says the request was not applied: every 4xx, and 500, 501 and 503 from the server itself.
    /// 502 and 504 come from a gateway that may have lost the server's answer.
    /// </summary>
    public static bool NotApplied(HttpStatusCode status) => (int)status is < 500 or 500 or 501 or 503;
}
