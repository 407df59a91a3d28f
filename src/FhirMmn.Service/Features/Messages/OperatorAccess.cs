using System.Globalization;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.Messages;

/// <summary>
/// The feed rule of the operations endpoints: with tokens, a caller sees its token's feed only (a feed parameter
/// naming another is 403); without tokens (the development profile, loopback only) any feed, or all of them.
/// </summary>
internal static class OperatorAccess
{
    /// <summary>The feed the caller may see: (feed, null) to filter on, or (_, a refusal).</summary>
    public static (string? Feed, IResult? Refusal) FeedFor(HttpContext context, string? requested)
    {
        var security = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (!security.RequireToken)
        {
            return (string.IsNullOrEmpty(requested) ? null : requested, null);
        }

        var own = FeedAuthorization.FeedOf(context)?.Name ?? string.Empty;
        return string.IsNullOrEmpty(requested) || string.Equals(requested, own, StringComparison.Ordinal)
            ? (own, null)
            : (null, Outcomes.Result(StatusCodes.Status403Forbidden, Correlation.Id(context), IssueCodes.Forbidden, "The token is not for this feed."));
    }

    public static IResult Invalid(HttpContext context, string message) =>
        Outcomes.Result(StatusCodes.Status400BadRequest, Correlation.Id(context), IssueCodes.Invalid, message);

    /// <summary>An instant in ISO 8601 with an offset or Z (a date alone is midnight UTC); null when it is not one.</summary>
    public static DateTimeOffset? Instant(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
}
