using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// The rule of one setting, on its options property: the words "{key} must {Rule}" of the start-up line and the
/// README's table, and where a value breaks it. A fault says where (a character's position, too long, below the
/// minimum), never what the value is: a value in the wrong key can be a secret.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public abstract class SettingRuleAttribute : ValidationAttribute
{
    /// <summary>Completes "{key} must ...", e.g. "be a whole number from 1 to 256".</summary>
    public abstract string Rule { get; }

    /// <summary>Null when <paramref name="value"/> keeps the rule; else where it breaks it, e.g. "character 3 is not".</summary>
    public abstract string? Fault(object? value);

    public override bool IsValid(object? value) => Fault(value) is null;

    /// <summary>Where a text that was set could not even be read as the property's type.</summary>
    public virtual string Unreadable(string text) => "it cannot be read";

    /// <summary>The first character of <paramref name="text"/> that <paramref name="allowed"/> refuses, as a fault.</summary>
    protected static string? FirstRefused(string text, Func<char, int, bool> allowed, string what)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!allowed(text[i], i))
            {
                return $"character {(i + 1).ToString(CultureInfo.InvariantCulture)} is not {what}";
            }
        }

        return null;
    }
}

/// <summary>A text that must be set (a path, a name).</summary>
public sealed class RequiredTextAttribute(string rule) : SettingRuleAttribute
{
    public override string Rule => rule;

    public override string? Fault(object? value) => value switch
    {
        string text when string.IsNullOrWhiteSpace(text) => "it is empty",
        string text => FirstRefused(text, (c, _) => !char.IsControl(c), "allowed (a control character)"),
        _ => "it is not set",
    };
}

/// <summary>A whole number within bounds.</summary>
public sealed class WholeNumberAttribute(long minimum, long maximum) : SettingRuleAttribute
{
    public override string Rule =>
        $"be a whole number from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}";

    public override string? Fault(object? value)
    {
        var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return number < minimum ? $"it is less than {minimum.ToString(CultureInfo.InvariantCulture)}"
            : number > maximum ? $"it is more than {maximum.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }

    public override string Unreadable(string text) =>
        text.Length == 0 ? "it is empty"
        : FirstRefused(text, (c, i) => char.IsAsciiDigit(c) || (i == 0 && c is '-' or '+'), "a digit")
            ?? "it is too long to be a number";
}

/// <summary>A time span within bounds, written [d.]hh:mm:ss[.fffffff].</summary>
public sealed class DurationAttribute(string minimum, string maximum) : SettingRuleAttribute
{
    private readonly TimeSpan min = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
    private readonly TimeSpan max = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    public override string Rule => $"be a time span [d.]hh:mm:ss from {minimum} to {maximum}";

    public override string? Fault(object? value)
    {
        var span = (TimeSpan)value!;
        return span < min ? $"it is shorter than {minimum}" : span > max ? $"it is longer than {maximum}" : null;
    }

    public override string Unreadable(string text) =>
        text.Length == 0 ? "it is empty"
        : FirstRefused(text, (c, _) => char.IsAsciiDigit(c) || c is ':' or '.' or '-', "a digit, ':' or '.'")
            ?? "it is not of the form [d.]hh:mm:ss";
}

/// <summary>One of a few words, exactly as written.</summary>
public sealed class OneOfAttribute(params string[] choices) : SettingRuleAttribute
{
    public override string Rule => "be " + (choices.Length == 1 ? choices[0] : string.Join(", ", choices[..^1]) + " or " + choices[^1]);

    public override string? Fault(object? value)
    {
        var text = value as string ?? string.Empty;
        if (choices.Contains(text, StringComparer.Ordinal))
        {
            return null;
        }

        var common = choices.Max(choice => choice.AsSpan().CommonPrefixLength(text));
        return text.Length == 0 ? "it is empty"
            : common == text.Length ? $"it stops after character {common.ToString(CultureInfo.InvariantCulture)}"
            : $"from character {(common + 1).ToString(CultureInfo.InvariantCulture)} on it is none of them";
    }
}

/// <summary>A name that becomes part of identifiers and claims: lower-case letters, digits and '-'.</summary>
public sealed class NameAttribute : SettingRuleAttribute
{
    public const int MaximumLength = 63;

    public override string Rule => "be 1 to 63 lower-case letters, digits and '-', not starting with '-'";

    public override string? Fault(object? value)
    {
        var text = value as string ?? string.Empty;
        return text.Length == 0 ? "it is empty"
            : FirstRefused(text, (c, i) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (c == '-' && i > 0), "one of them")
                ?? (text.Length > MaximumLength ? $"it is longer than {MaximumLength.ToString(CultureInfo.InvariantCulture)}" : null);
    }
}

/// <summary>An absolute URL of a server; optional unless another rule says otherwise.</summary>
public sealed class ServerUrlAttribute : SettingRuleAttribute
{
    /// <summary>Only https (an OpenID Connect authority: JwtBearer reads its keys over https only).</summary>
    public bool HttpsOnly { get; init; }

    public override string Rule => HttpsOnly
        ? "be an absolute https URL, without user name, password, query or fragment"
        : "be an absolute http or https URL, without user name, password, query or fragment";

    public override string? Fault(object? value) => value switch
    {
        null => null,
        Uri { IsAbsoluteUri: false } => "it is relative",
        Uri url when HttpsOnly && url.Scheme != Uri.UriSchemeHttps => "its scheme is not https",
        Uri url when url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps => "its scheme is not http or https",
        Uri url when url.UserInfo.Length > 0 => "it has a user name or password",
        Uri url when url.Query.Length > 0 => "it has a query",
        Uri url when url.Fragment.Length > 0 => "it has a fragment",
        _ => null,
    };

    public override string Unreadable(string text) => "it is not a URL";
}

/// <summary>An absolute URI naming an identifier system (http(s) URL, urn:oid: or urn:uuid:).</summary>
public sealed class IdentifierSystemAttribute : SettingRuleAttribute
{
    public override string Rule => "be an absolute URI such as https://ehr.example.org/sid/mrn or urn:oid:1.2.3, without spaces";

    public override string? Fault(object? value) => value switch
    {
        null => null,
        string text => FirstRefused(text, (c, _) => c > ' ' && c < '\u007f', "printable ASCII")
            ?? (Uri.TryCreate(text, UriKind.Absolute, out _) ? null : "it is not an absolute URI"),
        _ => "it is not text",
    };
}

/// <summary>A symmetric signing key: base64 of enough bytes.</summary>
public sealed class Base64KeyAttribute(int minimumBytes) : SettingRuleAttribute
{
    public override string Rule => $"be base64 of at least {minimumBytes.ToString(CultureInfo.InvariantCulture)} random bytes";

    public override string? Fault(object? value)
    {
        if (value is not string { Length: > 0 } text)
        {
            return null;
        }

        var end = text.TrimEnd('=').Length;
        var refused = FirstRefused(text, (c, i) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' || (c == '=' && i >= end), "base64");
        if (refused is not null)
        {
            return refused;
        }

        var bytes = new byte[text.Length];
        return !Convert.TryFromBase64String(text, bytes, out var length) ? "its length is not a multiple of 4"
            : length < minimumBytes ? $"it decodes to fewer than {minimumBytes.ToString(CultureInfo.InvariantCulture)} bytes"
            : null;
    }
}

/// <summary>A bearer token as RFC 6750 writes it (b64token).</summary>
public sealed class BearerTokenAttribute : SettingRuleAttribute
{
    public override string Rule => "be a bearer token: letters, digits and -._~+/ with '=' only at the end";

    public override string? Fault(object? value)
    {
        if (value is not string { Length: > 0 } text)
        {
            return null;
        }

        var end = text.TrimEnd('=').Length;
        return FirstRefused(text, (c, i) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' || (c == '=' && i >= end), "one of them");
    }
}

/// <summary>OAuth 2.0 scopes (RFC 6749 section 3.3): names of printable ASCII without '"' or '\', one space apart.</summary>
public sealed class ScopeAttribute : SettingRuleAttribute
{
    public override string Rule => "be scope names of printable ASCII other than '\"' and '\\', separated by single spaces";

    public override string? Fault(object? value)
    {
        if (value is not string { Length: > 0 } text)
        {
            return null;
        }

        return FirstRefused(text, (c, i) => c is > ' ' and < '\u007f' and not '"' and not '\\'
            || (c == ' ' && i > 0 && i < text.Length - 1 && text[i - 1] != ' '), "allowed there");
    }
}

/// <summary>A word of a token or a protocol (a claim name, an audience, a client id): no spaces, no control characters.</summary>
public sealed class WordAttribute : SettingRuleAttribute
{
    /// <summary>Whether the setting must be set.</summary>
    public bool Required { get; init; }

    public override string Rule => Required ? "be set, without spaces or control characters" : "be without spaces or control characters";

    public override string? Fault(object? value) => value switch
    {
        null or "" => Required ? "it is empty" : null,
        string text => FirstRefused(text, (c, _) => !char.IsWhiteSpace(c) && !char.IsControl(c), "allowed (a space or control character)"),
        _ => "it is not text",
    };
}

/// <summary>
/// Checks an options class against the rules on its properties, one line per broken rule, after the lines of
/// values that could not be read at all. It stands in for ValidateDataAnnotations, whose lines name the class
/// and member rather than the key and do not say where the value is broken.
/// </summary>
internal sealed class SettingsValidation<T>(string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var unreadable = SettingRules.UnreadableOf(options);
        var failures = unreadable.Select(u => u.Line).ToList();
        foreach (var (property, rule) in SettingRules.Of(typeof(T)))
        {
            if (!unreadable.Any(u => u.Property == property.Name) && rule.Fault(property.GetValue(options)) is { } fault)
            {
                failures.Add(SettingRules.Line(section, property.Name, rule.Rule, fault));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class SettingRules
{
    private static readonly ConditionalWeakTable<object, List<(string Property, string Line)>> Unreadable = [];

    /// <summary>The start-up line: "FhirMmn:Feed must be ... (character 3 is not one of them)".</summary>
    public static string Line(string section, string property, string rule, string fault) => $"{section}:{property} must {rule} ({fault})";

    public static IEnumerable<(PropertyInfo Property, SettingRuleAttribute Rule)> Of(Type type) =>
        from property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        let rule = property.GetCustomAttribute<SettingRuleAttribute>()
        where rule is not null
        select (property, rule);

    /// <summary>
    /// Binds <typeparamref name="T"/> from its section and validates it at start, with the lines of
    /// <see cref="SettingsValidation{T}"/>. The properties are bound one by one, each with the configuration
    /// binder's own conversion, so that a text that cannot be read as its type (a time span that does not parse,
    /// letters in a number) becomes a line like any broken rule, beside the others: the binder would stop at the
    /// first with an exception that names neither the rule nor where, and whose inner exception quotes the value.
    /// The options classes hold only simple values (text, numbers, time spans, URLs, booleans).
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SettingsValidation<T>(section));
        return services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => Bind(options, configuration.GetSection(section), section))
            .ValidateOnStart();
    }

    public static IReadOnlyList<(string Property, string Line)> UnreadableOf(object options) =>
        Unreadable.TryGetValue(options, out var lines) ? lines : [];

    /// <summary>Whether any of these properties could not be read: a rule between keys then waits until they can be.</summary>
    public static bool AnyUnreadable(object options, params string[] properties) =>
        UnreadableOf(options).Any(u => properties.Contains(u.Property, StringComparer.Ordinal));

    /// <summary>A new <typeparamref name="T"/> bound from <paramref name="values"/> as <see cref="AddSettings{T}"/> binds, with its lines (unreadable values, broken rules) under <paramref name="section"/>.</summary>
    public static (T Options, List<string> Failures) BindAndCheck<T>(IConfigurationSection values, string section)
        where T : class, new()
    {
        var options = new T();
        Bind(options, values, section);
        var result = new SettingsValidation<T>(section).Validate(null, options);
        return (options, result.Failed ? [.. result.Failures] : []);
    }

    private static void Bind<T>(T options, IConfigurationSection values, string section)
        where T : class
    {
        var unreadable = new List<(string Property, string Line)>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && IsSimple(p.PropertyType)))
        {
            if (values[property.Name] is not { } text)
            {
                continue;
            }

            try
            {
                property.SetValue(options, property.PropertyType == typeof(string) ? text : values.GetValue(property.PropertyType, property.Name));
            }
            catch (InvalidOperationException)
            {
                var rule = property.GetCustomAttribute<SettingRuleAttribute>();
                unreadable.Add((property.Name, Line(section, property.Name, rule?.Rule ?? TypeRule(property.PropertyType), rule?.Unreadable(text) ?? "it is neither")));
            }
        }

        Unreadable.AddOrUpdate(options, unreadable);
    }

    /// <summary>Only simple values are bound one by one; a list (Feeds:{name}:CodeMaps) is read by its owner.</summary>
    private static bool IsSimple(Type type) => type == typeof(string) || !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    /// <summary>The rule of a property without one of its own: the options classes have only booleans so.</summary>
    private static string TypeRule(Type type) => (Nullable.GetUnderlyingType(type) ?? type) == typeof(bool)
        ? "be true or false"
        : "be a " + type.Name;
}

/// <summary>
/// A secret setting: a reference to where the secret is kept (env:NAME, an environment variable; file:PATH, a file of a
/// mounted secret store such as a Kubernetes secret or the Key Vault CSI driver), resolved at start, or the secret
/// itself, which then must keep the <paramref name="literal"/> rule and come from the environment (a feed's secrets under
/// Feeds:{name} must be references).
/// </summary>
public sealed class SecretAttribute(Type literal) : SettingRuleAttribute
{
    private readonly SettingRuleAttribute inner = (SettingRuleAttribute)Activator.CreateInstance(literal)!;

    public override string Rule => $"{inner.Rule}, or be a reference env:NAME or file:PATH to where it is kept";

    public override string? Fault(object? value) => value is string text && SecretReference.IsReference(text) ? SecretReference.Fault(text) : inner.Fault(value);
}

/// <summary>A private key in PEM (PKCS#8 or the key type's own form).</summary>
public sealed class PemKeyAttribute : SettingRuleAttribute
{
    public override string Rule => "be a private key in PEM (-----BEGIN ... PRIVATE KEY-----)";

    public override string? Fault(object? value) => value switch
    {
        null or "" => null,
        string text when text.Contains("-----BEGIN", StringComparison.Ordinal) && text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) => null,
        _ => "it is not a PEM private key",
    };
}

/// <summary>References to secrets: env:NAME and file:PATH.</summary>
public static class SecretReference
{
    public static bool IsReference(string text) =>
        text.StartsWith("env:", StringComparison.Ordinal) || text.StartsWith("file:", StringComparison.Ordinal);

    /// <summary>Where the reference itself is broken; null when it is well formed (whether it resolves is checked at start).</summary>
    public static string? Fault(string text)
    {
        if (text.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = text[4..];
            return name.Length == 0 ? "the environment variable's name is empty"
                : name.Select((c, i) => (c, i)).FirstOrDefault(p => !(char.IsAsciiLetterOrDigit(p.c) || p.c == '_')) is var (bad, at) && bad != default
                    ? $"character {(at + 5).ToString(CultureInfo.InvariantCulture)} is not a letter, digit or '_'"
                    : null;
        }

        return text.Length == 5 ? "the file's path is empty" : null;
    }

    /// <summary>The secret a reference names, or where it could not be had (never the secret).</summary>
    public static (string? Secret, string? Fault) Resolve(string text, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("env:", StringComparison.Ordinal))
        {
            var value = (environment ?? Environment.GetEnvironmentVariable)(text[4..]);
            return string.IsNullOrEmpty(value) ? (null, $"the environment variable {text[4..]} is not set") : (value, null);
        }

        if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            try
            {
                var value = File.ReadAllText(text[5..]).TrimEnd('\r', '\n');
                return value.Length == 0 ? (null, "the file it names is empty") : (value, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return (null, "the file it names cannot be read");
            }
        }

        return (text, null);
    }
}
