using System.Text.RegularExpressions;
using Serilog.Context;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// A correlation id per request (the caller's X-Correlation-Id when it is a plain token, else a new one),
/// echoed in the response, carried into the queued message, every log event and every OperationOutcome id.
/// </summary>
internal static partial class Correlation
{
    public const string Header = "X-Correlation-Id";
    private const string Key = "fhirmmn.correlation";

    [GeneratedRegex("^[A-Za-z0-9\\-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    public static string Id(HttpContext context) => context.Items[Key] as string ?? context.TraceIdentifier;

    public static async Task Middleware(HttpContext context, RequestDelegate next)
    {
        var given = context.Request.Headers[Header].ToString();
        var id = Token().IsMatch(given) ? given : Guid.NewGuid().ToString("N");
        context.Items[Key] = id;
        context.Response.Headers[Header] = id;
        using (LogContext.PushProperty("CorrelationId", id))
        {
            await next(context).ConfigureAwait(false);
        }
    }
}
