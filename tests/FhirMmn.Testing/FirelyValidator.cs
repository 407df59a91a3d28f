using FhirMmn.Cli;
using Hl7.Fhir.Model;

namespace FhirMmn.Testing;

/// <summary>
/// The second independent validator: Firely.Fhir.Validation.R4, offline, against R4 core (specification.zip beside
/// the test binaries) and the committed profiles, CodeSystems and ValueSets in profiles/generated, with local
/// terminology only. Its schemas compile once per test process (a few seconds), on first use.
/// A Bundle is validated whole and entry by entry, each entry against the profile it claims or its code selects.
/// </summary>
public static class FirelyValidator
{
    private static readonly Lazy<ProfileValidator> Instance = new(
        () => new ProfileValidator(Repository.PathOf("profiles", "generated"), Path.Combine(AppContext.BaseDirectory, "specification.zip")),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Validates FHIR JSON; every error and warning is an issue.</summary>
    public static ValidationResult Validate(string json) => ResultOf(Instance.Value.Validate(json));

    /// <summary>Validates a resource of Firely's model; every error and warning is an issue.</summary>
    public static ValidationResult Validate(Resource resource) => ResultOf(Instance.Value.Validate(resource));

    /// <summary>Only the errors (a broken case must fail; warnings alone do not make it fail), against a profile when given.</summary>
    public static IReadOnlyList<string> Errors(string json, string? profile = null) =>
        Instance.Value.Validate(json, profile).Where(f => f.IsError).Select(f => f.ToString()).ToList();

    /// <summary>The profile the validator holds a resource to (its claim, or what its type and code select).</summary>
    public static string ProfileFor(Resource resource) => Instance.Value.ProfileFor(resource);

    private static ValidationResult ResultOf(IReadOnlyList<ProfileFinding> findings) =>
        new(findings.Count == 0, findings.Select(f => "firely: " + f).ToList());
}
