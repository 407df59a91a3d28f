using System.Globalization;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>Which queue the service reads and the intake enqueues onto (section "Messaging").</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public const string Embedded = "Embedded";
    public const string AzureServiceBus = "AzureServiceBus";
    public const string RabbitMq = "RabbitMQ";

    /// <summary>Embedded (the SQLite queue in the data folder), AzureServiceBus or RabbitMQ.</summary>
    [OneOf(Embedded, AzureServiceBus, RabbitMq)]
    public string Transport { get; set; } = Embedded;
}

/// <summary>RabbitMQ (section "Messaging:RabbitMQ"); used when Messaging:Transport is RabbitMQ.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "Messaging:RabbitMQ";

    /// <summary>The broker: amqp://host:port/vhost (amqps for TLS), without user name or password.</summary>
    [BrokerUri]
    public Uri Uri { get; set; } = new("amqp://127.0.0.1:5672/");

    [Word(Required = true)]
    public string UserName { get; set; } = "guest";

    /// <summary>A secret: environment only (Messaging__RabbitMQ__Password). None: RabbitMQ's own default, which it accepts from loopback only.</summary>
    [Word]
    public string? Password { get; set; }

    /// <summary>The work queue; its dead-letter queue and retry queues are named after it.</summary>
    [QueueName]
    public string QueueName { get; set; } = "fhirmmn-bundles";

    /// <summary>Deliveries the broker hands this service before it acknowledges them.</summary>
    [WholeNumber(1, 1000)]
    public int Prefetch { get; set; } = 32;
}

/// <summary>Azure Service Bus (section "Messaging:AzureServiceBus"); used when Messaging:Transport is AzureServiceBus.</summary>
public sealed class AzureServiceBusOptions
{
    public const string Section = "Messaging:AzureServiceBus";

    /// <summary>The namespace's host name (name.servicebus.windows.net); signs in with DefaultAzureCredential (managed identity in Azure).</summary>
    [HostName]
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead of the namespace: a shared access connection string. A secret: environment only (Messaging__AzureServiceBus__ConnectionString).</summary>
    [ServiceBusConnectionString]
    public string? ConnectionString { get; set; }

    [QueueName]
    public string QueueName { get; set; } = "fhirmmn-bundles";

    /// <summary>The queue requires sessions: the intake sets SessionId from the feed and patient; one patient's bundles are processed in order.</summary>
    public bool RequiresSession { get; set; }
}

/// <summary>An amqp or amqps URI of a broker, without credentials in it.</summary>
public sealed class BrokerUriAttribute : SettingRuleAttribute
{
    public override string Rule => "be an absolute amqp or amqps URI, without user name, password, query or fragment";

    public override string? Fault(object? value) => value switch
    {
        null => "it is not set",
        Uri { IsAbsoluteUri: false } => "it is not absolute",
        Uri uri when uri.Scheme is not ("amqp" or "amqps") => "its scheme is neither amqp nor amqps",
        Uri uri when uri.UserInfo.Length > 0 => "it holds a user name or password",
        Uri uri when uri.Query.Length > 0 || uri.Fragment.Length > 0 => "it has a query or fragment",
        _ => null,
    };

    public override string Unreadable(string text) => "it is not a URI";
}

/// <summary>A queue name: letters, digits, '-', '_' and '.', up to 200 characters.</summary>
public sealed class QueueNameAttribute : SettingRuleAttribute
{
    public override string Rule => "be 1 to 200 letters, digits, '-', '_' or '.', starting with a letter or digit";

    public override string? Fault(object? value)
    {
        var text = value as string ?? string.Empty;
        return text.Length == 0 ? "it is empty"
            : FirstRefused(text, (c, i) => char.IsAsciiLetterOrDigit(c) || (i > 0 && c is '-' or '_' or '.'), "one of them")
                ?? (text.Length > 200 ? "it is longer than 200" : null);
    }
}

/// <summary>A DNS host name, optional.</summary>
public sealed class HostNameAttribute : SettingRuleAttribute
{
    public override string Rule => "be a host name such as fhirmmn.servicebus.windows.net (letters, digits, '-' and '.')";

    public override string? Fault(object? value) => value switch
    {
        null or "" => null,
        string text => FirstRefused(text, (c, i) => char.IsAsciiLetterOrDigit(c) || (i > 0 && c is '-' or '.'), "one of them")
            ?? (Uri.CheckHostName(text) == UriHostNameType.Dns ? null : "it is not a host name"),
        _ => "it is not text",
    };
}

/// <summary>A Service Bus connection string, optional; never quoted in a fault.</summary>
public sealed class ServiceBusConnectionStringAttribute : SettingRuleAttribute
{
    public override string Rule => "be a Service Bus connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)";

    public override string? Fault(object? value) => value switch
    {
        null or "" => null,
        string text when !text.Contains("Endpoint=sb://", StringComparison.OrdinalIgnoreCase) => "it has no Endpoint=sb:// part",
        string text => FirstRefused(text, (c, _) => !char.IsControl(c) && !char.IsWhiteSpace(c), "allowed (a space or control character)"),
        _ => "it is not text",
    };
}

/// <summary>The rules between Messaging keys: what the chosen transport needs.</summary>
internal sealed class AzureServiceBusOptionsValidation(IOptions<MessagingOptions> messaging) : IValidateOptions<AzureServiceBusOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureServiceBusOptions options) =>
        messaging.Value.Transport == MessagingOptions.AzureServiceBus
            && string.IsNullOrEmpty(options.FullyQualifiedNamespace) && string.IsNullOrEmpty(options.ConnectionString)
            && !SettingRules.AnyUnreadable(options, nameof(options.FullyQualifiedNamespace), nameof(options.ConnectionString))
            ? ValidateOptionsResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"Messaging:AzureServiceBus:FullyQualifiedNamespace or Messaging:AzureServiceBus:ConnectionString (environment Messaging__AzureServiceBus__ConnectionString) must be set when Messaging:Transport is {MessagingOptions.AzureServiceBus} (neither is)"))
            : ValidateOptionsResult.Success;
}
