using System.Globalization;
using System.Text;
using System.Text.Json;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.ReadResources;

/// <summary>Read one resource of the embedded store.</summary>
public sealed record ReadResource(string Type, string Id) : IRequest<StoredResource?>;

/// <summary>Search the embedded store: subject (or patient) and identifier, newest first.</summary>
public sealed record SearchResources(string Type, string? Subject, string? Identifier, int Count) : IRequest<IReadOnlyList<StoredResource>>;

internal sealed class ReadResourceHandler(ResourceStore store) : IRequestHandler<ReadResource, StoredResource?>
{
    public Task<StoredResource?> Handle(ReadResource request, CancellationToken cancellationToken) =>
        Task.FromResult(store.Read(request.Type, request.Id));
}

internal sealed class SearchResourcesHandler(ResourceStore store) : IRequestHandler<SearchResources, IReadOnlyList<StoredResource>>
{
    public Task<IReadOnlyList<StoredResource>> Handle(SearchResources request, CancellationToken cancellationToken) =>
        Task.FromResult(store.Search(request.Type, request.Subject, request.Identifier, request.Count));
}

/// <summary>
/// GET /fhir/{DiagnosticReport|CarePlan|Provenance}/{id} and ?subject=Patient/{id} (also patient=, subject:identifier=system|value
/// for a patient known only by identifier, identifier=, _count=):
/// the results the service keeps when no FHIR server is configured, read-only.
/// </summary>
internal static class ReadResourcesEndpoints
{
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "DiagnosticReport", "CarePlan", "Provenance", "Device", "Observation" };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/fhir/{type}/{id}", async (string type, string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            if (!Types.Contains(type))
            {
                return NotServed(context);
            }

            var found = await mediator.Send(new ReadResource(type, id), cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                return Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound, $"No {type} with this id.");
            }

            context.Response.Headers.ETag = $"W/\"{found.Version.ToString(CultureInfo.InvariantCulture)}\"";
            return Results.Text(found.Json, Outcomes.FhirJsonContentType);
        }).RequireAuthorization(FeedAuthorization.Policy).WithName("ReadResource");

        app.MapGet("/fhir/{type}", async (string type, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            if (!Types.Contains(type))
            {
                return NotServed(context);
            }

            var query = context.Request.Query;
            var unknown = query.Keys.Where(k => k is not ("subject" or "patient" or "subject:identifier" or "patient:identifier" or "identifier" or "_count" or "_format")).ToList();
            if (unknown.Count > 0)
            {
                return Outcomes.Result(StatusCodes.Status400BadRequest, Correlation.Id(context), IssueCodes.NotSupported,
                    "Supported search parameters: subject (or patient), subject:identifier (or patient:identifier), identifier, _count.");
            }

            string? subject;
            if (((string?)query["subject:identifier"] ?? query["patient:identifier"]) is { } token)
            {
                // A patient the feed knew only by identifier is referenced conditionally; find it by that identifier.
                subject = PatientByIdentifier(token);
                if (subject is null)
                {
                    return Outcomes.Result(StatusCodes.Status400BadRequest, Correlation.Id(context), IssueCodes.Invalid,
                        "subject:identifier takes system|value.");
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

            var count = int.TryParse(query["_count"], CultureInfo.InvariantCulture, out var c) ? Math.Clamp(c, 1, 1000) : 100;
            var found = await mediator.Send(new SearchResources(type, subject, query["identifier"], count), cancellationToken).ConfigureAwait(false);
            return Results.Text(Searchset(context, found), Outcomes.FhirJsonContentType);
        }).RequireAuthorization(FeedAuthorization.Policy).WithName("SearchResources");
    }

    private const string PatientIdentifierPrefix = "Patient?identifier=";

    /// <summary>The stored subject of a patient known only by identifier, from "system|value" (unescaped); null when there is no system.</summary>
    private static string? PatientByIdentifier(string token) =>
        token.IndexOf('|', StringComparison.Ordinal) is var bar and > 0 && bar < token.Length - 1
            ? SearchQueries.PatientByIdentifier(token[..bar], token[(bar + 1)..])
            : null;

    private static IResult NotServed(HttpContext context) =>
        Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotSupported,
            "This service serves DiagnosticReport, CarePlan, Provenance, Device and Observation written by it, and accepts Bundles.");

    /// <summary>A searchset Bundle around the stored JSON, written as it is stored.</summary>
    private static string Searchset(HttpContext context, IReadOnlyList<StoredResource> found)
    {
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}/fhir";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Bundle");
            json.WriteString("type", "searchset");
            json.WriteNumber("total", found.Count);
            if (found.Count > 0)
            {
                json.WriteStartArray("entry");
                foreach (var resource in found)
                {
                    json.WriteStartObject();
                    json.WriteString("fullUrl", $"{baseUrl}/{resource.Reference}");
                    json.WritePropertyName("resource");
                    json.WriteRawValue(resource.Json, skipInputValidation: true);
                    json.WriteStartObject("search");
                    json.WriteString("mode", "match");
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
