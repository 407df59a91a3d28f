using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Testing;

namespace FhirMmn.Service.Tests;

/// <summary>
/// A real FHIR R4 server in its own process (tests/fhir-server/server.mjs: Medplum's FhirRouter and
/// in-memory repository behind node's http server), fresh and empty but for what it is seeded with.
/// </summary>
public sealed class FhirServerProcess : IDisposable
{
    public const string HospitalBase = "https://ehr.example.org/fhir";

    private readonly Process process;

    private FhirServerProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
    }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    public static FhirServerProcess Start(params string[] seedFiles) => Start(TimeSpan.Zero, seedFiles);

    /// <summary>A server that answers each transaction <paramref name="latency"/> after applying it.</summary>
    public static FhirServerProcess Start(TimeSpan latency, params string[] seedFiles)
    {
        var args = new List<string> { "--port", "0", "--latency", ((int)latency.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var seed in seedFiles)
        {
            args.Add("--seed");
            args.Add(seed);
        }

        var process = NodeTools.StartNode("tests/fhir-server/server.mjs", [.. args]);
        var ready = process.StandardOutput.ReadLine();
        if (ready is null || !ready.Contains("\"ready\":true", StringComparison.Ordinal))
        {
            var error = process.StandardError.ReadToEnd();
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The FHIR server did not start: {ready} {error}");
        }

        // Keep draining its output so that it never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var baseUrl = JsonDocument.Parse(ready).RootElement.GetProperty("base").GetString()!;
        return new FhirServerProcess(process, new Uri(baseUrl));
    }

    /// <summary>
    /// An example as a hospital's own server would hold it: a seed file that puts its Patient and
    /// Observations on the server (ids under <paramref name="suffix"/>), and the bundle to push, whose
    /// fullUrls point at that server once its base is known.
    /// </summary>
    public static (Func<Uri, string> Bundle, string SeedFile) Rebase(string example, string folder, string suffix)
    {
        var node = JsonNode.Parse(ServiceCalls.Example(example))!;
        foreach (var entry in node["entry"]!.AsArray())
        {
            var resource = entry!["resource"]!;
            resource["id"] = resource["id"]!.GetValue<string>() + suffix;
            entry["fullUrl"] = $"{HospitalBase}/{resource["resourceType"]!.GetValue<string>()}/{resource["id"]!.GetValue<string>()}";
            if (resource["subject"] is JsonObject subject)
            {
                subject["reference"] = subject["reference"]!.GetValue<string>() + suffix;
            }
        }

        var bundle = node.ToJsonString();
        var seed = JsonNode.Parse(bundle)!;
        foreach (var entry in seed["entry"]!.AsArray())
        {
            entry!.AsObject().Remove("fullUrl");
        }

        var seedFile = Path.Combine(folder, $"seed-{Guid.NewGuid():N}.json");
        File.WriteAllText(seedFile, seed.ToJsonString());
        return (baseUrl => bundle.Replace(HospitalBase, baseUrl.ToString().TrimEnd('/'), StringComparison.Ordinal), seedFile);
    }

    public async Task<JsonElement> SearchAsync(string query)
    {
        using var response = await Client.GetAsync(new Uri(query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static IReadOnlyList<JsonElement> Resources(JsonElement searchset) =>
        searchset.TryGetProperty("entry", out var entries) ? entries.EnumerateArray().Select(e => e.GetProperty("resource")).ToList() : [];

    public void Dispose()
    {
        Client.Dispose();
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}

/// <summary>What the next calls to the FHIR server suffer; read by every handler the factory builds.</summary>
public sealed class FaultPlan
{
    private int calls;
    private int failuresLeft;
    private Func<Task>? beforeNextTransaction;

    public enum Kind
    {
        None,

        /// <summary>No answer: connection refused.</summary>
        Down,

        /// <summary>HTTP 500 with an OperationOutcome.</summary>
        ServerError,

        /// <summary>HTTP 429 with Retry-After: 1.</summary>
        Throttled,

        /// <summary>No answer within any timeout.</summary>
        Slow,

        /// <summary>The server does the work, but the answer is lost on the way back.</summary>
        LostResponse,
    }

    public Kind Fault { get; private set; }

    public int Calls => calls;

    /// <summary>Runs once, just before the next transaction reaches the server (to make a concurrent change).</summary>
    public Func<Task>? BeforeNextTransaction
    {
        get => beforeNextTransaction;
        set => beforeNextTransaction = value;
    }

    internal Func<Task>? TakeBeforeTransaction() => Interlocked.Exchange(ref beforeNextTransaction, null);

    /// <summary>The next <paramref name="times"/> calls fail so.</summary>
    public void Fail(Kind kind, int times)
    {
        Fault = kind;
        Volatile.Write(ref failuresLeft, times);
    }

    internal Kind Next()
    {
        Interlocked.Increment(ref calls);
        return Interlocked.Decrement(ref failuresLeft) >= 0 ? Fault : Kind.None;
    }
}

/// <summary>Injects the plan's faults in front of the real server, below the service's retries and circuit breaker.</summary>
public sealed class FaultInjectingHandler(FaultPlan plan) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        switch (plan.Next())
        {
            case FaultPlan.Kind.Down:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (injected).");
            case FaultPlan.Kind.ServerError:
                return new HttpResponseMessage(HttpStatusCode.InternalServerError)
                {
                    Content = new StringContent("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}"""),
                };
            case FaultPlan.Kind.Throttled:
                var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
                throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return throttled;
            case FaultPlan.Kind.Slow:
                await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);
                throw new InvalidOperationException("unreachable");
            case FaultPlan.Kind.LostResponse:
                using (await base.SendAsync(request, cancellationToken))
                {
                    throw new HttpRequestException("Connection reset after the request was served (injected).");
                }

            default:
                if (request.Method == HttpMethod.Post && plan.TakeBeforeTransaction() is { } change)
                {
                    await change();
                }

                return await base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The test FHIR server checks itself (tests/fhir-server/smoke.mjs), so that what the integration tests rely on stays true.</summary>
public sealed class FhirServerSelfCheck
{
    [Fact]
    public void The_test_fhir_server_passes_its_own_checks()
    {
        var run = NodeTools.RunNode("tests/fhir-server/smoke.mjs");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
    }
}
