using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FhirMmn.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FhirMmn.Service.Tests;

/// <summary>
/// The service in process, through real DI, with its own data folder. Settings go in through UseSetting so
/// that Program sees them while it builds. Logs are captured so that tests can read them. A data folder given by the
/// test is the test's to delete; one made here is deleted with the factory.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? services;
    private readonly bool ownsData;

    public ServiceFactory(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? dataDirectory = null)
    {
        ownsData = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("fhirmmn-service-").FullName;
        this.settings = new Dictionary<string, string?>
        {
            ["FhirMmn:DataDirectory"] = DataDirectory,
            ["FhirMmn:RetryBaseDelay"] = "00:00:00.200",
            ["FhirMmn:RetryMaxDelay"] = "00:00:02",
            ["FhirMmn:LockDuration"] = "00:00:10",
            ["Security:RequireToken"] = "false",
            ["FhirServer:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? [])
        {
            this.settings[key] = value;
        }

        this.services = services;
    }

    public string DataDirectory { get; }

    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (!ownsData)
            {
                return;
            }

            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing connection; the temp folder is cleaned by the OS.
            }
        }
    }
}

/// <summary>Calls the service the way a hospital system does.</summary>
public static class ServiceCalls
{
    public static HttpContent Bundle(string text) =>
        new StringContent(text, Encoding.UTF8, new MediaTypeHeaderValue("application/fhir+json"));

    public static string Example(string name) => File.ReadAllText(Repository.PathOf("examples", name));

    /// <summary>POST a bundle; returns the message id (asserts 202).</summary>
    public static async Task<string> PostAsync(this HttpClient client, string bundle)
    {
        using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), Bundle(bundle));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        Assert.StartsWith("/messages/", response.Content.Headers.ContentLocation?.ToString() ?? response.Headers.GetValues("Content-Location").Single(), StringComparison.Ordinal);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Polls GET /messages/{id} until the message is completed or dead-lettered.</summary>
    public static async Task<JsonElement> SettledAsync(this HttpClient client, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = await client.GetJsonAsync($"/messages/{id}");
            var state = status.GetProperty("state").GetString();
            if (state is "completed" or "dead-lettered")
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"message {id} still {state}: {status}");
            await Task.Delay(50);
        }
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string Category(JsonElement report) =>
        report.GetProperty("conclusionCode")[0].GetProperty("coding")[0].GetProperty("code").GetString()!;
}

/// <summary>Every log event, rendered with its properties and scopes, for tests that check what is logged.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder().Append(category).Append(' ').Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            capture.scopes.ForEachScope((scope, builder) => builder.Append(" || ").Append(scope is IEnumerable<KeyValuePair<string, object?>> kv
                ? string.Join(",", kv.Select(p => $"{p.Key}={p.Value}"))
                : scope), text);
            text.Append(exception?.ToString());
            capture.Events.Enqueue(text.ToString());
        }
    }
}
