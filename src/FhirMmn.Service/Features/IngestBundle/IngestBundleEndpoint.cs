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

    private static async Task<IResult> Handle(HttpContext context, IMediator mediator, IOptions<FhirMmnOptions> options, CancellationToken cancellationToken)
    {
        var correlationId = Correlation.Id(context);
        if (!IsFhirJson(context.Request.ContentType))
        {
            return Outcomes.Result(StatusCodes.Status415UnsupportedMediaType, correlationId, IssueCodes.NotSupported,
                "Send the bundle as application/fhir+json (or application/json).");
        }

        var limit = options.Value.MaxBundleBytes;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(correlationId, limit);
        }

        var body = await ReadBodyAsync(context, limit, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge(correlationId, limit);
        }

        var outcome = await mediator.Send(new IngestBundle(body, FeedAuthorization.FeedOf(context)?.Name ?? string.Empty, correlationId), cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case IngestOutcome.Accepted accepted:
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
                return Outcomes.Result(status, refused.Read.ToOperationOutcome(correlationId));
            default:
                throw new InvalidOperationException("Unknown ingest outcome.");
        }
    }

    /// <summary>The 202 answer: the message id (hex), its state, and any warnings the reading found.</summary>
    private static string Accepted(string id, string outcomeJson) =>
        "{\"id\":\"" + id + "\",\"state\":\"queued\",\"outcome\":" + outcomeJson + "}";

    private static IResult TooLarge(string correlationId, long limit) =>
        Outcomes.Result(StatusCodes.Status413PayloadTooLarge, correlationId, IssueCodes.TooLong, $"The bundle is larger than the limit of {limit} bytes.");

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
