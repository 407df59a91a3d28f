using FhirMmn.Service.Hosting;

// FhirMmn: hospitals push FHIR Bundles of nerve conduction and antibody results; the service assesses them
// for multifocal motor neuropathy (EFNS/PNS 2010) and writes a DiagnosticReport and a CarePlan back.
// A start stopped by a broken rule prints one line per rule and exits 1 (StartupErrors).
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddFhirMmn();

    var app = builder.Build();
    app.UseFhirMmn();
    await app.RunFhirMmnAsync();
    return 0;
}
catch (Exception error) when (error is not HostAbortedException)
{
    return StartupErrors.Report(error, Console.Error);
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
