using System.Buffers;
using System.Net.Http.Headers;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.IngestBundle;

internal static class IngestBundleEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/fhir/Bundle", Handle).RequireAuthorization(FeedAuthorization.Policy).WithName("IngestBundle");

    private static async Task<IResult> Handle(HttpContext context, IMediator mediator, IOptions<FhirMmnOptions> options, ServiceMetrics metrics, CancellationToken cancellationToken)
    {
        var correlationId = Correlation.Id(context);
        var feed = FeedAuthorization.FeedOf(context)?.Name ?? string.Empty;
        if (!IsFhirJson(context.Request.ContentType))
        {
            metrics.Refused(feed, StatusCodes.Status415UnsupportedMediaType, IssueCodes.NotSupported);
            return Outcomes.Result(StatusCodes.Status415UnsupportedMediaType, correlationId, IssueCodes.NotSupported,
                "Send the bundle as application/fhir+json (or application/json).");
        }

        var limit = options.Value.MaxBundleBytes;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(metrics, feed, correlationId, limit);
        }

        var body = await ReadBodyAsync(context, limit, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge(metrics, feed, correlationId, limit);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await mediator.Send(new IngestBundle(body, feed, correlationId), cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case IngestOutcome.Accepted accepted:
                metrics.Received(feed, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                context.Response.Headers.ContentLocation = $"/messages/{accepted.MessageId}";
                return Results.Text(
                    Accepted(accepted.MessageId, FhirJson.Serialize(accepted.Read.ToOperationOutcome(correlationId))),
                    "application/json",
                    statusCode: StatusCodes.Status202Accepted);
            case IngestOutcome.Refused refused:
                var status = refused.Read.Refusal switch
                {
                    FeedRefusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
                    FeedRefusal.ContractViolation => StatusCodes.Status422UnprocessableEntity,
                    _ => StatusCodes.Status400BadRequest,
                };
                var refusal = refused.Read.ToOperationOutcome(correlationId);
                metrics.Refused(feed, status, refusal.Issue.FirstOrDefault(i => i.Severity is "error" or "fatal")?.Code ?? IssueCodes.Invalid);
                return Outcomes.Result(status, refusal);
            default:
                throw new InvalidOperationException("Unknown ingest outcome.");
        }
    }

    /// <summary>The 202 answer: the message id (hex), its state, and any warnings the reading found.</summary>
    private static string Accepted(string id, string outcomeJson) =>
        "{\"id\":\"" + id + "\",\"state\":\"queued\",\"outcome\":" + outcomeJson + "}";

    private static IResult TooLarge(ServiceMetrics metrics, string feed, string correlationId, long limit)
    {
        metrics.Refused(feed, StatusCodes.Status413PayloadTooLarge, IssueCodes.TooLong);
        return Outcomes.Result(StatusCodes.Status413PayloadTooLarge, correlationId, IssueCodes.TooLong, $"The bundle is larger than the limit of {limit} bytes.");
    }

    private static bool IsFhirJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType is "application/fhir+json" or "application/json"
        && (type.CharSet is null || type.CharSet.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads the body up to the limit; null when it is longer. A body with a Content-Length is read straight into
    /// an array of that size; a chunked one (no length to refuse early) through a pooled buffer.
    /// </summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 1;
        }

        try
        {
            if (context.Request.ContentLength is { } length)
            {
                // The server holds the body to its Content-Length (more or fewer bytes fail the request).
                var body = new byte[length];
                await context.Request.Body.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
                return body;
            }

            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > limit)
                    {
                        return null;
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
