using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace FhirMmn.Service.Hosting;

/// <summary>Every refusal and failure leaves as an OperationOutcome whose id is the request's correlation id.</summary>
internal static class Outcomes
{
    public const string FhirJsonContentType = "application/fhir+json";

    /// <summary>Retry-After of a 503: long enough for a load balancer to take a failing instance out of rotation.</summary>
    public const string RetryAfterSeconds = "10";

    public static IResult Result(int status, OperationOutcome outcome) =>
        Results.Text(FhirJson.Serialize(outcome), FhirJsonContentType, statusCode: status);

    public static IResult Result(int status, string correlationId, string code, string message) =>
        Result(status, OperationOutcomes.Of(code, message, correlationId));

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = FhirJsonContentType;
        return context.Response.WriteAsync(FhirJson.Serialize(OperationOutcomes.Of(code, message, Correlation.Id(context))));
    }
}

/// <summary>The one table from exception kinds to HTTP status. Exception texts never reach a client or a log.</summary>
internal sealed partial class OutcomeExceptionHandler(ILogger<OutcomeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, message) = exception switch
        {
            RequestValidationException invalid => (StatusCodes.Status400BadRequest, IssueCodes.Invalid, string.Join(" ", invalid.Problems)),
            BadHttpRequestException bad => (bad.StatusCode, IssueCodes.Invalid, "The request could not be read."),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, IssueCodes.Incomplete, "The request was cancelled."),
            StoreUnavailableException or Microsoft.Data.Sqlite.SqliteException =>
                (StatusCodes.Status503ServiceUnavailable, IssueCodes.Transient, "The store is not available; send the request again later."),
            FhirMmn.Service.Messaging.TransportUnavailableException =>
                (StatusCodes.Status503ServiceUnavailable, IssueCodes.Transient, "The message queue is not available; send the request again later."),
            _ => (StatusCodes.Status500InternalServerError, IssueCodes.Exception, "An internal error occurred."),
        };
        if (status >= 500)
        {
            LogFailure(logger, exception.GetType().Name, status);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = Outcomes.RetryAfterSeconds;
        }

        await Outcomes.WriteAsync(context, status, code, message).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {ExceptionType}; answered {StatusCode}")]
    private static partial void LogFailure(ILogger logger, string exceptionType, int statusCode);
}
