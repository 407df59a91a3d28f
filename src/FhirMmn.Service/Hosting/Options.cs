using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>Storage and the embedded queue (section "FhirMmn").</summary>
public sealed class FhirMmnOptions
{
    public const string Section = "FhirMmn";

    /// <summary>Folder of the embedded store and queue (SQLite); relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The one feed until feeds become configurable: names the reports and the token's feed claim.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$", ErrorMessage = "FhirMmn:Feed must be lower-case letters, digits and '-'.")]
    public string Feed { get; set; } = "default";

    /// <summary>Bundles larger than this are refused (413).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBundleBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Key patients by the Patient identifier of this system (default: the first with system and value).</summary>
    public string? PatientIdentifierSystem { get; set; }

    /// <summary>Memory for bundles the intake has read and the consumer has not taken yet (0: read them again).</summary>
    [Range(0, 16L * 1024 * 1024 * 1024)]
    public long ReadCacheBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Messages processed at once.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a message stays locked to one consumer; renewed while it is processed.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries that end in a crash or an unexpected error before the message is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>First delay after a transient failure; it doubles up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Completed messages (state and bundle) are deleted this long after they completed; GET /messages/{id} then
    /// answers 404. Their results stay with the patient's evidence; dead-lettered messages are kept.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>New motor studies this long after the newest input of the last assessment open a new episode.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan EpisodeGap { get; set; } = TimeSpan.FromDays(182);

    /// <summary>preliminary (default) or final: the status of the reports written.</summary>
    [RegularExpression("^(preliminary|final)$", ErrorMessage = "FhirMmn:ReportStatus must be preliminary or final.")]
    public string ReportStatus { get; set; } = "preliminary";

    /// <summary>draft (default) or active: the status of the care plans written.</summary>
    [RegularExpression("^(draft|active)$", ErrorMessage = "FhirMmn:CarePlanStatus must be draft or active.")]
    public string CarePlanStatus { get; set; } = "draft";

    /// <summary>auto (the FHIR server when FhirServer:BaseUrl is set, else the embedded store), embedded, or null (benchmarks only: writes nothing).</summary>
    [RegularExpression("^(auto|embedded|null)$", ErrorMessage = "FhirMmn:WriteBack must be auto, embedded or null.")]
    public string WriteBack { get; set; } = "auto";
}

/// <summary>The hospital's FHIR server (section "FhirServer").</summary>
public sealed class FhirServerOptions
{
    public const string Section = "FhirServer";

    /// <summary>Base URL; none: the embedded store keeps and serves the results.</summary>
    public Uri? BaseUrl { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per call for 5xx and timeouts, before the message is rescheduled.</summary>
    [Range(1, 10)]
    public int Attempts { get; set; } = 3;

    /// <summary>none, static (FhirServer:Token, from the environment) or client-credentials.</summary>
    [RegularExpression("^(none|static|client-credentials)$", ErrorMessage = "FhirServer:Auth must be none, static or client-credentials.")]
    public string Auth { get; set; } = "none";

    /// <summary>The bearer token for Auth=static. A secret: set it in the environment (FhirServer__Token), never in a file.</summary>
    public string? Token { get; set; }

    public Uri? TokenEndpoint { get; set; }

    public string? ClientId { get; set; }

    /// <summary>A secret: set it in the environment (FhirServer__ClientSecret), never in a file.</summary>
    public string? ClientSecret { get; set; }

    public string? Scope { get; set; }
}

/// <summary>Intake authentication (section "Security").</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Require a bearer token on the intake and read endpoints. Only the local development profile turns it off, on loopback.</summary>
    public bool RequireToken { get; set; } = true;

    /// <summary>OpenID Connect authority whose keys sign the tokens (e.g. the Entra ID tenant).</summary>
    public Uri? Authority { get; set; }

    /// <summary>A symmetric signing key (base64, 32 bytes or more) instead of an authority. A secret: environment only.</summary>
    public string? SigningKey { get; set; }

    public string? Issuer { get; set; }

    [Required]
    public string Audience { get; set; } = "fhirmmn";

    /// <summary>The claim that names the token's feed.</summary>
    [Required]
    public string FeedClaim { get; set; } = "fhirmmn_feed";
}

internal sealed class SecurityOptionsValidation : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        if (options.RequireToken && options.Authority is null && string.IsNullOrEmpty(options.SigningKey))
        {
            return ValidateOptionsResult.Fail(
                "Security:RequireToken is true but neither Security:Authority nor Security:SigningKey is set: no token could be validated.");
        }

        if (options.SigningKey is { Length: > 0 } key && (!IsBase64(key, out var bytes) || bytes < 32))
        {
            return ValidateOptionsResult.Fail("Security:SigningKey must be base64 of at least 32 bytes.");
        }

        return ValidateOptionsResult.Success;
    }

    private static bool IsBase64(string text, out int length)
    {
        var buffer = new byte[text.Length];
        var ok = Convert.TryFromBase64String(text, buffer, out length);
        return ok;
    }
}

internal sealed class FhirServerOptionsValidation : IValidateOptions<FhirServerOptions>
{
    public ValidateOptionsResult Validate(string? name, FhirServerOptions options)
    {
        if (options.BaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            return ValidateOptionsResult.Fail("FhirServer:BaseUrl must be an absolute http or https URL.");
        }

        return options.Auth switch
        {
            "static" when string.IsNullOrEmpty(options.Token) =>
                ValidateOptionsResult.Fail("FhirServer:Auth is static but FhirServer:Token is not set (set it in the environment: FhirServer__Token)."),
            "client-credentials" when options.TokenEndpoint is null || string.IsNullOrEmpty(options.ClientId) || string.IsNullOrEmpty(options.ClientSecret) =>
                ValidateOptionsResult.Fail("FhirServer:Auth is client-credentials but FhirServer:TokenEndpoint, FhirServer:ClientId or FhirServer:ClientSecret is not set."),
            _ => ValidateOptionsResult.Success,
        };
    }
}
