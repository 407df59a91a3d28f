using System.Text.Json.Nodes;
using FhirMmn.Fhir;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.Metadata;

/// <summary>GET /fhir/metadata: the CapabilityStatement of the service's own FHIR endpoints.</summary>
internal static class MetadataEndpoint
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/fhir/metadata", (IOptions<SecurityOptions> security, IOptions<FhirServerOptions> server, TimeProvider clock) =>
            Results.Text(CapabilityStatement(security.Value, server.Value, clock).ToJsonString(Json), Outcomes.FhirJsonContentType))
        .AllowAnonymous()
        .WithName("Metadata");

    public static JsonObject CapabilityStatement(SecurityOptions security, FhirServerOptions server, TimeProvider clock)
    {
        var embedded = server.BaseUrl is null;
        var resources = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "Bundle",
                ["profile"] = $"{Contract.CanonicalBase}/StructureDefinition/mmn-feed-bundle",
                ["documentation"] = "POST /fhir/Bundle: a feed bundle (any type: collection, transaction, batch, message) of one patient's nerve conduction, anti-GM1 and clinical Observations. Answers 202 with Content-Location /messages/{id} once stored durably; 400, 413, 415 or 422 with an OperationOutcome when refused.",
                ["interaction"] = new JsonArray(new JsonObject { ["code"] = "create" }),
            },
        };
        if (embedded)
        {
            foreach (var (type, profile) in new[]
            {
                ("DiagnosticReport", Contract.DiagnosticReportProfile),
                ("CarePlan", Contract.CarePlanProfile),
                ("Provenance", Contract.ProvenanceProfile),
            })
            {
                resources.Add(new JsonObject
                {
                    ["type"] = type,
                    ["supportedProfile"] = new JsonArray(profile),
                    ["documentation"] = "Written by FhirMmn (no FHIR server configured), read-only.",
                    ["interaction"] = new JsonArray(new JsonObject { ["code"] = "read" }, new JsonObject { ["code"] = "search-type" }),
                    ["searchParam"] = new JsonArray(
                        Param("subject", "reference", "Patient/{id}"),
                        Param("patient", "reference", "Same as subject."),
                        Param("identifier", "token", "system|value"),
                        Param("_count", "number", "At most this many, newest first (default 100).")),
                });
            }
        }

        var rest = new JsonObject
        {
            ["mode"] = "server",
            ["documentation"] = embedded
                ? "FhirMmn keeps the reports in its embedded store and serves them here."
                : "FhirMmn writes the reports to the hospital's FHIR server; only the intake is served here.",
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
