using System.Text.Json.Nodes;
using FhirMmn.Fhir;
using FhirMmn.Service.Features.ReadResources;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.Metadata;

/// <summary>GET /fhir/metadata: the CapabilityStatement of the service's own FHIR endpoints.</summary>
internal static class MetadataEndpoint
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/fhir/metadata", (IOptions<SecurityOptions> security, IOptions<FhirMmnOptions> service, IOptions<FhirServerOptions> server, TimeProvider clock) =>
            Results.Text(CapabilityStatement(security.Value, service.Value, server.Value, clock).ToJsonString(Json), Outcomes.FhirJsonContentType))
        .AllowAnonymous()
        .WithName("Metadata");

    public static JsonObject CapabilityStatement(SecurityOptions security, FhirMmnOptions service, FhirServerOptions server, TimeProvider clock)
    {
        // The same rule as the reads: the embedded store serves the results only when the write-back goes to it.
        var embedded = !ResultsLocation.OnFhirServer(service, server);
        var resources = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "Bundle",
                ["profile"] = $"{Contract.CanonicalBase}/StructureDefinition/mmn-feed-bundle",
                ["documentation"] = "POST /fhir/Bundle: a feed bundle (collection, transaction, batch, message, document or searchset) of one patient's nerve conduction, anti-GM1 and clinical Observations, in UTF-8. Answers 202 with Content-Location /messages/{id} once stored durably; 400 (not JSON, invalid UTF-8 or Unicode text, not a valid R4 Bundle, a broken Bundle invariant bdl-1 to bdl-12), 413, 415 or 422 (the feed contract) with an OperationOutcome when refused.",
                ["interaction"] = new JsonArray(new JsonObject { ["code"] = "create" }),
            },
        };
        if (embedded)
        {
            foreach (var (type, profile, what) in new (string, string?, string)[]
            {
                ("DiagnosticReport", Contract.DiagnosticReportProfile, "The assessments written by FhirMmn"),
                ("CarePlan", Contract.CarePlanProfile, "The care plan proposals written by FhirMmn"),
                ("Provenance", Contract.ProvenanceProfile, "The provenance of each assessment"),
                ("Device", Contract.DeviceProfile, "The classifier"),
                ("Observation", null, "Results the feed sent with urn:uuid fullUrls, created by the write-back"),
            })
            {
                var resource = new JsonObject { ["type"] = type };
                if (profile is not null)
                {
                    resource["supportedProfile"] = new JsonArray(profile);
                }

                resource["documentation"] = $"{what} (no FHIR server configured), read-only. Search: newest first, total counts all matches, "
                    + $"pages of _count (1-{ReadResourcesEndpoints.MaxCount}, default {ReadResourcesEndpoints.DefaultCount}) linked by next (_cursor, an opaque token); "
                    + "a malformed _count or _cursor is 400. Unknown search parameters are refused (400) unless the request says Prefer: handling=lenient, "
                    + "when they are ignored, left out of the self link and named in an OperationOutcome entry.";
                resource["interaction"] = new JsonArray(new JsonObject { ["code"] = "read" }, new JsonObject { ["code"] = "search-type" });
                resource["searchParam"] = new JsonArray(
                    Param("subject", "reference", "Patient/{id}; subject:identifier=system|value for a patient the feed knew only by identifier."),
                    Param("patient", "reference", "Same as subject (also patient:identifier)."),
                    Param("identifier", "token", "system|value"),
                    Param("_count", "number", $"Results per page, 1 to {ReadResourcesEndpoints.MaxCount} (default {ReadResourcesEndpoints.DefaultCount})."),
                    Param("_cursor", "string", "Where a page starts: the token of a searchset's next link."));
                resources.Add(resource);
            }
        }

        var rest = new JsonObject
        {
            ["mode"] = "server",
            ["documentation"] = embedded
                ? "FhirMmn keeps the reports in its embedded store and serves them here."
                : "FhirMmn writes its results (DiagnosticReport, CarePlan, Provenance, Device, Observation) to the hospital's FHIR server (FhirServer:BaseUrl) and keeps none: read them there. Only the intake is served here; a read of those types answers 404 with an OperationOutcome that says so.",
            ["resource"] = resources,
        };
        if (security.RequireToken)
        {
            rest["security"] = new JsonObject
            {
                ["service"] = new JsonArray(new JsonObject
                {
                    ["coding"] = new JsonArray(new JsonObject
                    {
                        ["system"] = "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        ["code"] = "OAuth",
                    }),
                }),
                ["description"] = $"A bearer token (JWT) whose {security.FeedClaim} claim names the feed.",
            };
        }

        return new JsonObject
        {
            ["resourceType"] = "CapabilityStatement",
            // cpb-0 (R4): a CapabilityStatement that is not a pure instance description needs a name a computer can use.
            ["name"] = "FhirMmnCapabilityStatement",
            ["status"] = "active",
            ["date"] = clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["kind"] = "instance",
            ["software"] = new JsonObject { ["name"] = "FhirMmn", ["version"] = ClassifierInfo.SoftwareVersion },
            ["implementation"] = new JsonObject { ["description"] = "FhirMmn: multifocal motor neuropathy assessment (EFNS/PNS 2010)" },
            ["fhirVersion"] = "4.0.1",
            ["format"] = new JsonArray("application/fhir+json", "json"),
            ["implementationGuide"] = new JsonArray($"{Contract.CanonicalBase}/ImplementationGuide/fhirmmn"),
            ["rest"] = new JsonArray(rest),
        };
    }

    private static JsonObject Param(string name, string type, string documentation) =>
        new() { ["name"] = name, ["type"] = type, ["documentation"] = documentation };
}
