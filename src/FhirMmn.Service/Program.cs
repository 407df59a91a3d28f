using FhirMmn.Service.Hosting;

// FhirMmn: hospitals push FHIR Bundles of nerve conduction and antibody results; the service assesses them
// for multifocal motor neuropathy (EFNS/PNS 2010) and writes a DiagnosticReport and a CarePlan back.
var builder = WebApplication.CreateBuilder(args);
builder.AddFhirMmn();

var app = builder.Build();
app.UseFhirMmn();
app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
