using System.Globalization;
using System.Text;
using System.Text.Json;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using MediatR;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FhirMmn.Service.Features.ReadResources;

/// <summary>Read one resource of the embedded store.</summary>
public sealed record ReadResource(string Feed, string Type, string Id) : IRequest<StoredResource?>;

/// <summary>Search the embedded store: subject (or patient) and identifier, newest first, a page of <paramref name="Count"/> after <paramref name="After"/>.</summary>
public sealed record SearchResources(string Feed, string Type, string? Subject, string? Identifier, int Count, PageCursor? After = null) : IRequest<SearchPage>;

internal sealed class ReadResourceHandler(ResourceStore store) : IRequestHandler<ReadResource, StoredResource?>
{
    public Task<StoredResource?> Handle(ReadResource request, CancellationToken cancellationToken) =>
        Task.FromResult(store.Read(request.Feed, request.Type, request.Id));
}

internal sealed class SearchResourcesHandler(ResourceStore store) : IRequestHandler<SearchResources, SearchPage>
{
    public Task<SearchPage> Handle(SearchResources request, CancellationToken cancellationToken) =>
        Task.FromResult(store.Search(request.Feed, request.Type, request.Subject, request.Identifier, request.Count, request.After));
}

/// <summary>Where the results are: the embedded store serves them only when the write-back goes to it.</summary>
internal static class ResultsLocation
{
    /// <summary>The write-back goes to the feed's FHIR server (FhirMmn:WriteBack auto with its FhirServer:BaseUrl set), so the embedded store holds none of its results.</summary>
    public static bool OnFhirServer(FhirMmnOptions service, FhirServerOptions server) => service.WriteBack == "auto" && server.BaseUrl is not null;
}

/// <summary>
/// GET /fhir/{DiagnosticReport|CarePlan|Provenance|Device|Observation}/{id} and ?subject=Patient/{id} (also patient=,
/// subject:identifier=system|value for a patient known only by identifier, identifier=, _count=, _cursor=): the results
/// the service keeps when no FHIR server is configured, read-only. With a FHIR server configured the results are there,
/// and these reads say so (404) rather than answer with an empty searchset that reads as "no report".
/// </summary>
/// <remarks>
/// Search as FHIR R4 has it: a searchset with total (all matches) and links self and, when more results exist, next
/// (an opaque cursor, _cursor, stable while results are written). _count is 1 to <see cref="MaxCount"/> (default
/// <see cref="DefaultCount"/>); anything else is 400, not ignored. Unknown parameters: FHIR lets a server ignore them
/// (lenient) or refuse them (strict), and the client choose with Prefer: handling=. Here strict is the default: an
/// ignored filter widens a search, and a misspelt subject parameter would answer with every patient's reports. With
/// Prefer: handling=lenient they are ignored, the self link leaves them out, and an OperationOutcome entry names them.
/// </remarks>
internal static class ReadResourcesEndpoints
{
    public const int DefaultCount = 100;
    public const int MaxCount = 1000;

    private const string PatientIdentifierPrefix = "Patient?identifier=";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "DiagnosticReport", "CarePlan", "Provenance", "Device", "Observation" };

    /// <summary>The search parameters understood, in the order the self and next links give them.</summary>
    private static readonly string[] Known = ["subject", "patient", "subject:identifier", "patient:identifier", "identifier", "_count", "_cursor", "_format"];

    private const string Supported = "subject (or patient), subject:identifier (or patient:identifier), identifier, _count, _cursor";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/fhir/{type}/{id}", async (string type, string id, HttpContext context, IMediator mediator, IOptions<FhirMmnOptions> service, CancellationToken cancellationToken) =>
        {
            var feed = FeedAuthorization.FeedOf(context);
            if (Unserved(context, type, service.Value, feed) is { } refusal)
            {
                return refusal;
            }

            var found = await mediator.Send(new ReadResource(feed!.Name, type, id), cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                return Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound, $"No {type} with this id.");
            }

            context.Response.Headers.ETag = $"W/\"{found.Version.ToString(CultureInfo.InvariantCulture)}\"";
            return Results.Text(found.Json, Outcomes.FhirJsonContentType);
        }).RequireAuthorization(FeedAuthorization.Policy).WithName("ReadResource");

        app.MapGet("/fhir/{type}", async (string type, HttpContext context, IMediator mediator, IOptions<FhirMmnOptions> service, CancellationToken cancellationToken) =>
        {
            var feed = FeedAuthorization.FeedOf(context);
            if (Unserved(context, type, service.Value, feed) is { } refusal)
            {
                return refusal;
            }

            var correlationId = Correlation.Id(context);
            var query = context.Request.Query;
            var unknown = query.Keys.Where(k => !Known.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
            var lenient = Lenient(context.Request.Headers["Prefer"]);
            if (unknown.Count > 0 && !lenient)
            {
                return Outcomes.Result(StatusCodes.Status400BadRequest, correlationId, IssueCodes.NotSupported,
                    $"Unknown search parameter(s): {Names(unknown)}. Supported: {Supported}. Send Prefer: handling=lenient to have unknown parameters ignored.");
            }

            if (Known.FirstOrDefault(k => query[k].Count > 1) is { } repeated)
            {
                return Outcomes.Result(StatusCodes.Status400BadRequest, correlationId, IssueCodes.NotSupported, $"{repeated} is given more than once; give it once.");
            }

            string? subject;
            if (((string?)query["subject:identifier"] ?? query["patient:identifier"]) is { } token)
            {
                // A patient the feed knew only by identifier is referenced conditionally; find it by that identifier.
                subject = PatientByIdentifier(token);
                if (subject is null)
                {
                    return Outcomes.Result(StatusCodes.Status400BadRequest, correlationId, IssueCodes.Invalid, "subject:identifier takes system|value.");
                }
            }
            else
            {
                subject = (string?)query["subject"] ?? query["patient"];
                if (subject is not null)
                {
                    subject = subject.StartsWith(PatientIdentifierPrefix, StringComparison.Ordinal)
                        ? PatientByIdentifier(Uri.UnescapeDataString(subject[PatientIdentifierPrefix.Length..])) ?? subject
                        : References.ParseRestful(subject)?.Relative ?? (subject.Contains('/', StringComparison.Ordinal) ? subject : $"Patient/{subject}");
                }
            }

            var count = DefaultCount;
            if (query.TryGetValue("_count", out var countText)
                && !(int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxCount))
            {
                return Outcomes.Result(StatusCodes.Status400BadRequest, correlationId, IssueCodes.Invalid,
                    $"_count must be a whole number from 1 to {MaxCount} (results per page; more come through the next link).");
            }

            PageCursor? after = null;
            if (query.TryGetValue("_cursor", out var cursor) && (after = PageCursor.FromToken(cursor)) is null)
            {
                return Outcomes.Result(StatusCodes.Status400BadRequest, correlationId, IssueCodes.Invalid,
                    "_cursor is not a page cursor of this service; follow the next link of a searchset.");
            }

            var page = await mediator.Send(new SearchResources(feed!.Name, type, subject, query["identifier"], count, after), cancellationToken).ConfigureAwait(false);
            var ignored = unknown.Count == 0
                ? null
                : OperationOutcomes.From([FhirIssue.Warning(IssueCodes.NotSupported, $"Unknown search parameter(s) ignored (Prefer: handling=lenient): {Names(unknown)}.")]);
            return Results.Text(Searchset(context, type, page, ignored), Outcomes.FhirJsonContentType);
        }).RequireAuthorization(FeedAuthorization.Policy).WithName("SearchResources");
    }

    /// <summary>The refusal for a type not served, or for any read while the results are on the FHIR server; null when served.</summary>
    private static IResult? Unserved(HttpContext context, string type, FhirMmnOptions service, Feeds.Feed? feed)
    {
        if (!Types.Contains(type))
        {
            return Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotSupported,
                "This service serves DiagnosticReport, CarePlan, Provenance, Device and Observation written by it, and accepts Bundles.");
        }

        if (feed is null)
        {
            return Outcomes.Result(StatusCodes.Status403Forbidden, Correlation.Id(context), IssueCodes.Forbidden, "The token is not for a feed of this service.");
        }

        return ResultsLocation.OnFhirServer(service, feed.Server)
            ? Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound,
                "The results are on the hospital's FHIR server (FhirServer:BaseUrl): FhirMmn writes its DiagnosticReport, CarePlan, Provenance, Device and Observation there and keeps none here. Read them from that server.")
            : null;
    }

    /// <summary>Prefer: handling=lenient (RFC 7240; FHIR R4 search). Strict when both are asked for.</summary>
    private static bool Lenient(StringValues prefer)
    {
        var preferences = prefer.SelectMany(p => (p ?? string.Empty).Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return preferences.Contains("handling=lenient", StringComparer.OrdinalIgnoreCase)
            && !preferences.Contains("handling=strict", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Parameter names as they may be shown: cut and masked, so that nothing else travels in them; never their values.</summary>
    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Take(10).Select(name =>
    {
        var cut = name.Length > 64 ? name[..64] : name;
        return string.Create(cut.Length, cut, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                chars[i] = char.IsAsciiLetterOrDigit(c) || c is '_' or ':' or '-' or '.' ? c : '?';
            }
        });
    }));

    /// <summary>The stored subject of a patient known only by identifier, from "system|value" (unescaped); null when there is no system.</summary>
    private static string? PatientByIdentifier(string token) =>
        token.IndexOf('|', StringComparison.Ordinal) is var bar and > 0 && bar < token.Length - 1
            ? SearchQueries.PatientByIdentifier(token[..bar], token[(bar + 1)..])
            : null;

    /// <summary>The link to this search with the parameters used (those understood), and the page cursor given.</summary>
    private static string Link(HttpContext context, string type, string? cursor)
    {
        var query = context.Request.Query;
        var used = Known
            .Where(k => k != "_cursor" && query.ContainsKey(k))
            .Select(k => new KeyValuePair<string, string?>(k, query[k]))
            .Concat(cursor is null ? [] : [new KeyValuePair<string, string?>("_cursor", cursor)]);
        return $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/fhir/{type}{QueryString.Create(used)}";
    }

    /// <summary>A searchset Bundle around the stored JSON, written as it is stored.</summary>
    private static string Searchset(HttpContext context, string type, SearchPage page, OperationOutcome? ignored)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/fhir";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Bundle");
            json.WriteString("type", "searchset");
            json.WriteNumber("total", page.Total);
            json.WriteStartArray("link");
            WriteLink(json, "self", Link(context, type, context.Request.Query.TryGetValue("_cursor", out var cursor) ? cursor.ToString() : null));
            if (page.Next is { } next)
            {
                WriteLink(json, "next", Link(context, type, next.Token));
            }

            json.WriteEndArray();
            if (page.Resources.Count > 0 || ignored is not null)
            {
                json.WriteStartArray("entry");
                foreach (var resource in page.Resources)
                {
                    json.WriteStartObject();
                    json.WriteString("fullUrl", $"{baseUrl}/{resource.Reference}");
                    json.WritePropertyName("resource");
                    json.WriteRawValue(resource.Json, skipInputValidation: true);
                    WriteSearchMode(json, "match");
                    json.WriteEndObject();
                }

                if (ignored is not null)
                {
                    json.WriteStartObject();
                    // Every entry of a searchset has a fullUrl, the outcome too: it is no stored resource, so a urn:uuid.
                    json.WriteString("fullUrl", $"urn:uuid:{Guid.NewGuid()}");
                    json.WritePropertyName("resource");
                    json.WriteRawValue(FhirJson.Serialize(ignored), skipInputValidation: true);
                    WriteSearchMode(json, "outcome");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteLink(Utf8JsonWriter json, string relation, string url)
    {
        json.WriteStartObject();
        json.WriteString("relation", relation);
        json.WriteString("url", url);
        json.WriteEndObject();
    }

    private static void WriteSearchMode(Utf8JsonWriter json, string mode)
    {
        json.WriteStartObject("search");
        json.WriteString("mode", mode);
        json.WriteEndObject();
    }
}
