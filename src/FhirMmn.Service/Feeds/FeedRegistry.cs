using System.Security.Claims;
using FhirMmn.Fhir.CodeMaps;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Feeds;

/// <summary>
/// The feeds this service serves. Without a Feeds section there is one, named FhirMmn:Feed (default "default"),
/// made from the single-feed keys of before (FhirMmn:PatientIdentifierSystem, EpisodeGap, ReportStatus, CarePlanStatus
/// and the FhirServer section). With Feeds:{name} blocks there are exactly those. Every problem is one start-up line
/// naming the key (<see cref="Failures"/>), checked with the other settings at start.
/// </summary>
public sealed class FeedRegistry
{
    /// <summary>Claims that name a token's client (OpenID Connect azp, RFC 9068 client_id, Entra ID v1 appid).</summary>
    private static readonly string[] ClientIdClaims = ["azp", "client_id", "appid"];

    /// <summary>Added by the intake's token check when the feed claim is there but not one JSON string: such a token acts for no feed.</summary>
    public const string MalformedFeedClaim = "fhirmmn:malformed-feed-claim";

    private readonly Dictionary<string, Feed> byName;
    private readonly bool resolveSecrets;

    public FeedRegistry(IConfiguration? configuration, IOptions<FhirMmnOptions> service, IOptions<FhirServerOptions> server, IHostEnvironment? environment = null)
        : this(configuration, service, server, environment?.ContentRootPath ?? Directory.GetCurrentDirectory(), resolveSecrets: true)
    {
    }

    /// <summary>The feeds with code map paths relative to <paramref name="contentRoot"/>; without <paramref name="resolveSecrets"/> (a dry run, which sends nothing) secrets are left unread.</summary>
    public FeedRegistry(IConfiguration? configuration, IOptions<FhirMmnOptions> service, IOptions<FhirServerOptions> server, string contentRoot, bool resolveSecrets)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        this.resolveSecrets = resolveSecrets;
        var (feeds, failures) = Load(configuration, service, server, contentRoot);
        All = feeds;
        Failures = failures;
        byName = feeds.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<Feed> All { get; }

    /// <summary>The start-up lines of every broken feed setting; empty when all are well.</summary>
    public IReadOnlyList<string> Failures { get; }

    public Feed? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>
    /// The feed a token acts for: the one whose FeedClaimValue its feed claim carries; a token without a feed claim, the
    /// one whose ClientId its client id claim carries. Null: no feed (403).
    /// </summary>
    public Feed? ForToken(ClaimsPrincipal user, string feedClaim)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.HasClaim(c => c.Type == MalformedFeedClaim))
        {
            return null;
        }

        if (OneValue(user, feedClaim) is { } claimed)
        {
            return All.FirstOrDefault(f => f.FeedClaimValue == claimed);
        }

        if (user.FindAll(c => c.Type == feedClaim).Any())
        {
            return null;
        }

        foreach (var claim in ClientIdClaims)
        {
            if (OneValue(user, claim) is { } client)
            {
                return All.FirstOrDefault(f => f.ClientId is not null && f.ClientId == client);
            }
        }

        return null;
    }

    private static string? OneValue(ClaimsPrincipal user, string claim)
    {
        var values = user.FindAll(c => string.Equals(c.Type, claim, StringComparison.Ordinal)).Select(c => c.Value).Take(2).ToList();
        return values.Count == 1 ? values[0] : null;
    }

    private (List<Feed> Feeds, List<string> Failures) Load(IConfiguration? configuration, IOptions<FhirMmnOptions> service, IOptions<FhirServerOptions> server, string contentRoot)
    {
        var failures = new List<string>();
        var feeds = new List<Feed>();
        var blocks = configuration?.GetSection(FeedOptions.Section).GetChildren().ToList() ?? [];
        if (blocks.Count == 0)
        {
            // The single-feed keys: their own rules are checked (and reported) by their own options.
            try
            {
                var single = service.Value;
                var singleServer = server.Value;
                var (secret, fault) = ResolveSecret(singleServer, FhirServerOptions.Section, referencesOnly: false);
                if (fault is not null)
                {
                    failures.Add(fault);
                }

                feeds.Add(new Feed
                {
                    Name = single.Feed,
                    FeedClaimValue = single.Feed,
                    Server = singleServer,
                    Secret = secret,
                    PatientIdentifierSystem = single.PatientIdentifierSystem,
                    EpisodeGap = single.EpisodeGap,
                    ReportStatus = single.ReportStatus,
                    CarePlanStatus = single.CarePlanStatus,
                    FromSingleFeedKeys = true,
                });
            }
            catch (OptionsValidationException)
            {
                // Reported by the options' own validation.
            }

            return (feeds, failures);
        }

        if (configuration![$"{FhirServerOptions.Section}:{nameof(FhirServerOptions.BaseUrl)}"] is { Length: > 0 })
        {
            failures.Add($"{FhirServerOptions.Section}:{nameof(FhirServerOptions.BaseUrl)} must not be set when feeds are configured under {FeedOptions.Section} (it is: set {FeedOptions.Section}:{{name}}:FhirServer:BaseUrl for each feed instead)");
        }

        foreach (var block in blocks)
        {
            var name = block.Key;
            if (new NameAttribute().Fault(name) is { } nameFault)
            {
                failures.Add($"{FeedOptions.Section}:{{name}} must be a name of 1 to 63 lower-case letters, digits and '-', not starting with '-' (the feed in place {(feeds.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {nameFault})");
                continue;
            }

            var section = $"{FeedOptions.Section}:{name}";
            var (options, optionFailures) = SettingRules.BindAndCheck<FeedOptions>(block, section);
            failures.AddRange(optionFailures);
            var serverSection = $"{section}:{FhirServerOptions.Section}";
            var (feedServer, serverFailures) = SettingRules.BindAndCheck<FhirServerOptions>(block.GetSection(FhirServerOptions.Section), serverSection);
            failures.AddRange(serverFailures);
            var between = new FhirServerOptionsValidation(serverSection).Validate(null, feedServer);
            if (between.Failed)
            {
                failures.AddRange(between.Failures);
            }

            var (secret, secretFault) = ResolveSecret(feedServer, serverSection, referencesOnly: true);
            if (secretFault is not null)
            {
                failures.Add(secretFault);
            }

            foreach (var file in block.GetSection(nameof(FeedOptions.CodeMaps)).GetChildren().Select(c => c.Value).OfType<string>())
            {
                options.CodeMaps.Add(file);
            }

            var codeMap = LoadCodeMaps(options.CodeMaps, $"{section}:{nameof(FeedOptions.CodeMaps)}", contentRoot, failures);
            feeds.Add(new Feed
            {
                Name = name,
                FeedClaimValue = options.FeedClaimValue ?? name,
                ClientId = string.IsNullOrEmpty(options.ClientId) ? null : options.ClientId,
                Server = feedServer,
                Secret = secret,
                CodeMap = codeMap,
                PatientIdentifierSystem = options.PatientIdentifierSystem,
                EpisodeGap = options.EpisodeGap,
                ReportStatus = options.ReportStatus,
                CarePlanStatus = options.CarePlanStatus,
            });
        }

        foreach (var shared in feeds.GroupBy(f => f.FeedClaimValue, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"{FeedOptions.Section}:{shared.Last().Name}:{nameof(FeedOptions.FeedClaimValue)} must differ from every other feed's (it is the same as {FeedOptions.Section}:{shared.First().Name}'s: a token would act for both)");
        }

        foreach (var shared in feeds.Where(f => f.ClientId is not null).GroupBy(f => f.ClientId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"{FeedOptions.Section}:{shared.Last().Name}:{nameof(FeedOptions.ClientId)} must differ from every other feed's (it is the same as {FeedOptions.Section}:{shared.First().Name}'s: a token would act for both)");
        }

        return (feeds, failures);
    }

    /// <summary>The secret the Auth needs, resolved; a feed's (under Feeds) must be a reference.</summary>
    private (string? Secret, string? Fault) ResolveSecret(FhirServerOptions server, string section, bool referencesOnly)
    {
        var (key, value) = server.Auth switch
        {
            "static" => (nameof(FhirServerOptions.Token), server.Token),
            "client-credentials" => (nameof(FhirServerOptions.ClientSecret), server.ClientSecret),
            "smart-backend-services" => (nameof(FhirServerOptions.PrivateKey), server.PrivateKey),
            _ => (null, null),
        };
        if (key is null || string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        if (!SecretReference.IsReference(value))
        {
            return referencesOnly
                ? (null, $"{section}:{key} must be a reference env:NAME or file:PATH to where the secret is kept, never the secret itself (it is not a reference)")
                : (value, null);
        }

        if (!resolveSecrets)
        {
            return (null, null);
        }

        var (secret, fault) = SecretReference.Resolve(value);
        if (fault is not null)
        {
            return (null, $"{section}:{key} must name a secret that can be read ({fault})");
        }

        if (key == nameof(FhirServerOptions.PrivateKey)
            && (new PemKeyAttribute().Fault(secret) ?? ClientAssertion.KeyFault(secret!, server.Algorithm)) is { } keyFault)
        {
            return (null, $"{section}:{key} must name a private key in PEM that fits {section}:{nameof(FhirServerOptions.Algorithm)} ({keyFault})");
        }

        return (secret, null);
    }

    private static CodeMap LoadCodeMaps(IList<string> files, string key, string contentRoot, List<string> failures)
    {
        if (files.Count == 0)
        {
            return CodeMap.None;
        }

        var maps = new List<(string Name, byte[] Json)>();
        for (var i = 0; i < files.Count; i++)
        {
            var path = Path.IsPathRooted(files[i]) ? files[i] : Path.Combine(contentRoot, files[i]);
            try
            {
                maps.Add(($"{key}:{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}", File.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                failures.Add($"{key}:{i.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be a ConceptMap file that can be read (it cannot: {e.GetType().Name})");
            }
        }

        var map = CodeMap.Load(maps, out var faults);
        failures.AddRange(faults.Select(f => $"{key} must be R4 ConceptMaps from local codes to the contract's ({f})"));
        return map;
    }
}

/// <summary>Stands for the Feeds section in the start-up validation, which asks the registry.</summary>
public sealed class FeedsSettings;

internal sealed class FeedsValidation(FeedRegistry registry) : IValidateOptions<FeedsSettings>
{
    public ValidateOptionsResult Validate(string? name, FeedsSettings options) =>
        registry.Failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(registry.Failures);
}
