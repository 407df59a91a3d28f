using System.Text.RegularExpressions;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Hl7.Fhir.Utility;

namespace FhirMmn.Cli;

/// <summary>One finding of the deep validation: where, what rule, and Firely's own message (which can quote a value).</summary>
/// <param name="Severity">Error, warning or fatal (information is dropped).</param>
/// <param name="Code">The FHIR issue type.</param>
/// <param name="Location">The FHIRPath of the element, from the root of what was validated.</param>
/// <param name="Rule">Firely's issue number, or the key of the invariant that failed.</param>
/// <param name="Profile">The canonical URL validated against.</param>
/// <param name="Message">Firely's text: fine for a test's failure message, never shown by the command line.</param>
internal sealed record ProfileFinding(
    OperationOutcome.IssueSeverity Severity,
    OperationOutcome.IssueType Code,
    string Location,
    string Rule,
    string Profile,
    string Message)
{
    public bool IsError => Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal;

    public override string ToString() => $"{Severity} {Code} {Rule} at {Location} ({Profile}): {Message}";
}

/// <summary>
/// The deep validation (issue 12 items 4 and 5): Firely's validator, offline, against R4 core (specification.zip)
/// and the FhirMmn profiles, CodeSystems and ValueSets in a profiles folder, with local terminology only. A Bundle
/// is checked whole, then entry by entry against the profile each entry claims in meta.profile or that its type
/// and code select (as profiles/scripts/validate-profile.mjs does), so that a broken CMAP inside a feed bundle fails
/// its own profile. Compiling the schemas costs seconds on first use; keep one instance. Firely's validator is not
/// thread-safe: calls are serialised here.
/// The same source is compiled into FhirMmn.Testing, where the tests hold every output to it.
/// </summary>
internal sealed partial class ProfileValidator
{
    public const string CanonicalBase = "http://fhirmmn.org/fhir/StructureDefinition/";
    private const string CoreBase = "http://hl7.org/fhir/StructureDefinition/";
    private const string Loinc = "http://loinc.org";
    private const string Ncs = "http://fhirmmn.org/fhir/CodeSystem/ncs";
    private const string MmnLab = "http://fhirmmn.org/fhir/CodeSystem/mmn-lab";
    private const string MmnClinical = "http://fhirmmn.org/fhir/CodeSystem/mmn-clinical";

    private static readonly FhirJsonDeserializer Parser = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private readonly Validator validator;
    private readonly HashSet<string> profiles;
    private readonly Lock gate = new();

    public ProfileValidator(string profilesDirectory, string specificationZip)
    {
        if (!Directory.Exists(profilesDirectory))
        {
            throw new DirectoryNotFoundException($"No profiles folder at {profilesDirectory}.");
        }

        if (!File.Exists(specificationZip))
        {
            throw new FileNotFoundException($"No specification.zip at {specificationZip}.");
        }

        profiles = Directory.GetFiles(profilesDirectory, "StructureDefinition-*.json")
            .Select(f => CanonicalBase + Path.GetFileNameWithoutExtension(f)["StructureDefinition-".Length..])
            .ToHashSet(StringComparer.Ordinal);
        var local = new DirectorySource(profilesDirectory, new DirectorySourceSettings { IncludeSubDirectories = false });
        var resolver = new CachedResolver(new MultiResolver(local, new ZipSource(specificationZip)));
        validator = new Validator(resolver, new LocalTerminologyService(resolver));
    }

    /// <summary>The profiles folder and specification.zip beside the running program (the command line's copy).</summary>
    public static ProfileValidator BesideProgram() =>
        new(Path.Combine(AppContext.BaseDirectory, "profiles"), Path.Combine(AppContext.BaseDirectory, "specification.zip"));

    /// <summary>
    /// Parses FHIR JSON (what cannot be parsed is a finding) and validates what it holds, against
    /// <paramref name="profile"/> (a FhirMmn profile id or canonical URL) when given, else the profile it selects.
    /// </summary>
    public IReadOnlyList<ProfileFinding> Validate(string json, string? profile = null)
    {
        if (!Parser.TryDeserializeResource(json, out var resource, out var problems))
        {
            var parse = problems.Select(ParseFinding).ToList();
            if (resource is null)
            {
                return parse.Count > 0 ? parse : [new ProfileFinding(OperationOutcome.IssueSeverity.Fatal, OperationOutcome.IssueType.Structure, "(root)", "parse", "R4", "not a FHIR resource")];
            }

            return [.. parse, .. Validate(resource, profile)];
        }

        return Validate(resource!, profile);
    }

    /// <summary>
    /// Validates a resource against <paramref name="profile"/> when given, else the profile it selects (a Bundle also
    /// entry by entry); no finding means valid.
    /// </summary>
    public IReadOnlyList<ProfileFinding> Validate(Resource resource, string? profile = null)
    {
        var findings = new List<ProfileFinding>();
        profile = profile is null ? ProfileFor(resource) : profile.Contains('/', StringComparison.Ordinal) ? profile : CanonicalBase + profile;
        lock (gate)
        {
            Collect(findings, validator.Validate(resource, profile), profile, prefix: null, resource.TypeName);
            if (resource is Bundle bundle)
            {
                for (var i = 0; i < bundle.Entry.Count; i++)
                {
                    if (bundle.Entry[i].Resource is not { } entry)
                    {
                        continue;
                    }

                    var entryProfile = ProfileFor(entry);
                    Collect(findings, validator.Validate(entry, entryProfile), entryProfile, $"Bundle.entry[{i}].resource", entry.TypeName);
                }
            }
        }

        return findings
            .Where(f => !KnownValidatorDefects.IsDefect(f))
            .DistinctBy(f => (f.Severity, f.Location, f.Rule, f.Message))
            .ToList();
    }

    /// <summary>
    /// The profile a resource is meant to conform to: a FhirMmn profile its meta.profile names, else the one its type
    /// and code select, else its R4 core definition. A Bundle carrying a report, plan or provenance is a write-back, not
    /// a feed: R4 core only, its entries checked one by one.
    /// </summary>
    public string ProfileFor(Resource resource)
    {
        foreach (var claimed in resource.Meta?.Profile ?? [])
        {
            var url = claimed?.Split('|')[0] ?? string.Empty;
            if (profiles.Contains(url))
            {
                return url;
            }
        }

        var selected = resource switch
        {
            Observation o when Has(o.Code, Loinc, "98713-1") => "mmn-cmap-observation",
            Observation o when Has(o.Code, Ncs, "snap-amplitude") || Has(o.Code, Loinc, "98698-4") => "mmn-snap-observation",
            Observation o when Has(o.Code, Loinc, "51703-7") || Has(o.Code, MmnLab, null) => "mmn-anti-gm1-observation",
            Observation o when Has(o.Code, MmnClinical, null) => "mmn-clinical-finding-observation",
            Bundle b when b.Entry.Any(e => e.Resource is DiagnosticReport or CarePlan or Provenance) => null,
            Bundle => "mmn-feed-bundle",
            DiagnosticReport => "mmn-diagnostic-report",
            CarePlan => "mmn-careplan",
            Device => "mmn-classifier-device",
            Provenance => "mmn-provenance",
            _ => null,
        };
        return selected is not null && profiles.Contains(CanonicalBase + selected) ? CanonicalBase + selected : CoreBase + resource.TypeName;
    }

    private static bool Has(CodeableConcept? concept, string system, string? code) =>
        concept?.Coding.Any(c => c.System == system && (code is null || c.Code == code)) == true;

    private static void Collect(List<ProfileFinding> findings, OperationOutcome outcome, string profile, string? prefix, string type)
    {
        foreach (var issue in outcome.Issue)
        {
            if (issue.Severity is not (OperationOutcome.IssueSeverity.Fatal or OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Warning))
            {
                continue;
            }

            var location = issue.Expression.FirstOrDefault() ?? issue.Location.FirstOrDefault() ?? type;
            if (prefix is not null)
            {
                location = location == type ? prefix : location.StartsWith(type + ".", StringComparison.Ordinal) ? prefix + location[type.Length..] : prefix + "." + location;
            }

            var message = issue.Details?.Text ?? issue.Diagnostics ?? string.Empty;
            var constraint = ConstraintKey().Match(message);
            var rule = constraint.Success ? constraint.Groups[1].Value : issue.Details?.Coding.FirstOrDefault()?.Code ?? "unknown";
            findings.Add(new ProfileFinding(issue.Severity!.Value, issue.Code ?? OperationOutcome.IssueType.Invalid, location, rule, profile, message));
        }
    }

    private static ProfileFinding ParseFinding(CodedException problem) => new(
        OperationOutcome.IssueSeverity.Error,
        OperationOutcome.IssueType.Structure,
        problem is ExtendedCodedException extended ? extended.InstancePath ?? "(root)" : "(root)",
        problem.ErrorCode,
        "R4",
        problem.Message);

    [GeneratedRegex(@"constraint '?([A-Za-z0-9]+(?:-[A-Za-z0-9]+)+)'?")]
    private static partial Regex ConstraintKey();

    /// <summary>
    /// What Firely reports that is provably a defect of validating offline, not of the resource. Each one says why;
    /// nothing else is filtered.
    /// </summary>
    private static class KnownValidatorDefects
    {
        public static bool IsDefect(ProfileFinding finding) => IsMimeTypeLookup(finding);

        /// <summary>
        /// Mime types (urn:ietf:bcp:13, e.g. CapabilityStatement.format, Attachment.contentType) are a grammar, not an
        /// enumerable code system: no terminology offline can expand its value set, so the local terminology service
        /// warns that it cannot check any code of it, valid or not. Only that warning, only for that system.
        /// </summary>
        private static bool IsMimeTypeLookup(ProfileFinding finding) =>
            finding.Severity == OperationOutcome.IssueSeverity.Warning
            && finding.Message.Contains("cannot find codesystem 'urn:ietf:bcp:13'", StringComparison.Ordinal);
    }
}
