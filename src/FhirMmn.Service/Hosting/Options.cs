using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// Storage and the embedded queue (section "FhirMmn"). Each property's rule (<see cref="SettingRuleAttribute"/>)
/// is checked at start and stated in the README's configuration table.
/// </summary>
public sealed class FhirMmnOptions
{
    public const string Section = "FhirMmn";

    /// <summary>Folder of the embedded store and queue (SQLite); relative paths are under the content root.</summary>
    [RequiredText("be a folder path (absolute, or relative to the content root)")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The one feed until feeds become configurable: names the reports and the token's feed claim.</summary>
    [Name]
    public string Feed { get; set; } = "default";

    /// <summary>Bundles larger than this are refused (413).</summary>
    [WholeNumber(1024, 256L * 1024 * 1024)]
    public long MaxBundleBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Key patients by the Patient identifier of this system (default: the first with system and value).</summary>
    [IdentifierSystem]
    public string? PatientIdentifierSystem { get; set; }

    /// <summary>Memory for bundles the intake has read and the consumer has not taken yet (0: read them again).</summary>
    [WholeNumber(0, 16L * 1024 * 1024 * 1024)]
    public long ReadCacheBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Messages processed at once.</summary>
    [WholeNumber(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a message stays locked to one consumer; renewed while it is processed.</summary>
    [Duration("00:00:05", "01:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries that end in a crash or an unexpected error before the message is dead-lettered.</summary>
    [WholeNumber(1, 100)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>First delay after a transient failure; it doubles up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    [Duration("00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between attempts; not shorter than <see cref="RetryBaseDelay"/>.</summary>
    [Duration("00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Completed messages (state and bundle) are deleted this long after they completed; GET /messages/{id} then
    /// answers 404. Their results stay with the patient's evidence; dead-lettered messages are kept.
    /// </summary>
    [Duration("01:00:00", "3650.00:00:00")]
    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>New motor studies this long after the newest input of the last assessment open a new episode.</summary>
    [Duration("1.00:00:00", "3650.00:00:00")]
    public TimeSpan EpisodeGap { get; set; } = TimeSpan.FromDays(182);

    /// <summary>preliminary (default) or final: the status of the reports written.</summary>
    [OneOf("preliminary", "final")]
    public string ReportStatus { get; set; } = "preliminary";

    /// <summary>draft (default) or active: the status of the care plans written.</summary>
    [OneOf("draft", "active")]
    public string CarePlanStatus { get; set; } = "draft";

    /// <summary>auto (the FHIR server when FhirServer:BaseUrl is set, else the embedded store), embedded, or null (benchmarks only: writes nothing).</summary>
    [OneOf("auto", "embedded", "null")]
    public string WriteBack { get; set; } = "auto";
}

/// <summary>The hospital's FHIR server (section "FhirServer").</summary>
public sealed class FhirServerOptions
{
    public const string Section = "FhirServer";

    /// <summary>Base URL; none: the embedded store keeps and serves the results.</summary>
    [ServerUrl]
    public Uri? BaseUrl { get; set; }

    [Duration("00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per call for 5xx and timeouts, before the message is rescheduled.</summary>
    [WholeNumber(1, 10)]
    public int Attempts { get; set; } = 3;

    /// <summary>none, static (FhirServer:Token, from the environment), client-credentials, smart-backend-services or entra-id.</summary>
    [OneOf("none", "static", "client-credentials", "smart-backend-services", "entra-id")]
    public string Auth { get; set; } = "none";

    /// <summary>The bearer token for Auth=static. A secret: set it in the environment (FhirServer__Token), or a reference to it, never in a file.</summary>
    [Secret(typeof(BearerTokenAttribute))]
    public string? Token { get; set; }

    [ServerUrl]
    public Uri? TokenEndpoint { get; set; }

    [Word]
    public string? ClientId { get; set; }

    /// <summary>A secret: set it in the environment (FhirServer__ClientSecret), or a reference to it, never in a file.</summary>
    [Secret(typeof(WordAttribute))]
    public string? ClientSecret { get; set; }

    [Scope]
    public string? Scope { get; set; }

    /// <summary>SMART Backend Services: the private key (PEM, RSA or EC P-384) that signs the client assertion; a reference env:NAME or file:PATH.</summary>
    [Secret(typeof(PemKeyAttribute))]
    public string? PrivateKey { get; set; }

    /// <summary>SMART Backend Services: the kid of the key in the JWK Set registered with the token endpoint.</summary>
    [Word]
    public string? KeyId { get; set; }

    /// <summary>SMART Backend Services: RS384 or ES384, as the key is.</summary>
    [OneOf("RS384", "ES384")]
    public string Algorithm { get; set; } = "RS384";

    /// <summary>Entra ID: the tenant of a workload identity (else the environment's AZURE_TENANT_ID).</summary>
    [Word]
    public string? TenantId { get; set; }

    /// <summary>Calls to the server per second at most (reads and transactions), a token bucket; 0: no limit.</summary>
    [WholeNumber(0, 10000)]
    public int RequestsPerSecond { get; set; }
}

/// <summary>Intake authentication (section "Security").</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Require a bearer token on the intake and read endpoints. Only the local development profile turns it off, on loopback.</summary>
    public bool RequireToken { get; set; } = true;

    /// <summary>OpenID Connect authority whose keys sign the tokens (e.g. the Entra ID tenant).</summary>
    [ServerUrl(HttpsOnly = true)]
    public Uri? Authority { get; set; }

    /// <summary>A symmetric signing key (base64, 32 bytes or more) instead of an authority. A secret: environment only.</summary>
    [Base64Key(32)]
    public string? SigningKey { get; set; }

    [Word]
    public string? Issuer { get; set; }

    [Word(Required = true)]
    public string Audience { get; set; } = "fhirmmn";

    /// <summary>The claim that names the token's feed.</summary>
    [Word(Required = true)]
    public string FeedClaim { get; set; } = "fhirmmn_feed";

    /// <summary>
    /// Tokens meant to live longer than this (exp minus the earliest of iat, nbf and now) are refused: a stolen
    /// long-lived token would otherwise open the intake for its whole life.
    /// </summary>
    [Duration("00:01:00", "1.00:00:00")]
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The claim that carries the token's roles (a string or an array of strings; Entra ID app roles: "roles").</summary>
    [Word(Required = true)]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The role the messages API and /admin need, with the feed's claim: listing, history, resubmission.</summary>
    [Word(Required = true)]
    public string OperatorRole { get; set; } = "FhirMmn.Operator";

    /// <summary>The role /metrics needs (any feed: a scraper watches them all).</summary>
    [Word(Required = true)]
    public string MetricsRole { get; set; } = "FhirMmn.Metrics";
}

/// <summary>The rules between Security keys.</summary>
internal sealed class SecurityOptionsValidation : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options) =>
        options.RequireToken && options.Authority is null && string.IsNullOrEmpty(options.SigningKey)
            && !SettingRules.AnyUnreadable(options, nameof(options.RequireToken), nameof(options.Authority))
            ? ValidateOptionsResult.Fail(
                "Security:Authority or Security:SigningKey must be set when Security:RequireToken is true (neither is: no token could be validated)")
            : ValidateOptionsResult.Success;
}

/// <summary>The rules between FhirServer keys (or a feed's Feeds:{name}:FhirServer keys): what each kind of Auth needs.</summary>
internal sealed class FhirServerOptionsValidation(string section = FhirServerOptions.Section) : IValidateOptions<FhirServerOptions>
{
    public FhirServerOptionsValidation()
        : this(FhirServerOptions.Section)
    {
    }

    public ValidateOptionsResult Validate(string? name, FhirServerOptions options)
    {
        var failures = new List<string>();
        var environment = section.Replace(":", "__", StringComparison.Ordinal);
        void Need(string key, bool set, bool secret = false)
        {
            if (!set)
            {
                failures.Add($"{section}:{key} must be set when {section}:Auth is {options.Auth} (it is not"
                    + (!secret ? ")" : section == FhirServerOptions.Section ? $"; set it in the environment, {environment}__{key})" : "; set it to a reference env:NAME or file:PATH)"));
            }
        }

        if (options.Auth == "static")
        {
            Need(nameof(options.Token), !string.IsNullOrEmpty(options.Token), secret: true);
        }
        else if (options.Auth == "client-credentials")
        {
            Need(nameof(options.TokenEndpoint), options.TokenEndpoint is not null || SettingRules.AnyUnreadable(options, nameof(options.TokenEndpoint)));
            Need(nameof(options.ClientId), !string.IsNullOrEmpty(options.ClientId));
            Need(nameof(options.ClientSecret), !string.IsNullOrEmpty(options.ClientSecret), secret: true);
        }
        else if (options.Auth == "smart-backend-services")
        {
            Need(nameof(options.TokenEndpoint), options.TokenEndpoint is not null || SettingRules.AnyUnreadable(options, nameof(options.TokenEndpoint)));
            Need(nameof(options.ClientId), !string.IsNullOrEmpty(options.ClientId));
            Need(nameof(options.PrivateKey), !string.IsNullOrEmpty(options.PrivateKey), secret: true);
            Need(nameof(options.KeyId), !string.IsNullOrEmpty(options.KeyId));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The rules between FhirMmn keys.</summary>
internal sealed class FhirMmnOptionsValidation : IValidateOptions<FhirMmnOptions>
{
    public ValidateOptionsResult Validate(string? name, FhirMmnOptions options) =>
        options.RetryMaxDelay < options.RetryBaseDelay && !SettingRules.AnyUnreadable(options, nameof(options.RetryBaseDelay), nameof(options.RetryMaxDelay))
            ? ValidateOptionsResult.Fail("FhirMmn:RetryMaxDelay must not be shorter than FhirMmn:RetryBaseDelay (it is)")
            : ValidateOptionsResult.Success;
}
