using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FhirMmn.Service.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Bad bytes are bad requests over HTTP (400 with a located OperationOutcome, never 500), and a body that got past the
/// intake reads the same when the consumer reads it again from the store (the read cache is off here, so it always does).
/// </summary>
public sealed class BadBytesTests : IDisposable
{
    private const string Display = "Compound muscle action potential amplitude Muscle";
    private const string DisplayPath = "Bundle.entry[1].resource.code.coding[0].display";
    private const string Secret = "MRN-SECRET-91";

    private readonly ServiceFactory service = new(new() { ["FhirMmn:ReadCacheBytes"] = "0" });

    public void Dispose() => service.Dispose();

    private static byte[] WithDisplay(byte[] raw)
    {
        var text = ServiceCalls.Example("example-definite-ulnar-forearm.json");
        var at = text.IndexOf(Display, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. raw, .. Encoding.UTF8.GetBytes(text[(at + Display.Length)..])];
    }

    private static byte[] WithDisplay(string jsonStringContent) => WithDisplay(Encoding.UTF8.GetBytes(jsonStringContent));

    public static TheoryData<string> Refused() =>
    [
        "invalid-utf8", "overlong", "encoded-surrogate", "lone-high-surrogate", "lone-low-surrogate", "high-then-letter-escape",
        "nul", "utf-16", "no-resource-entry", "version-specific-fullurl", "collection-with-request",
    ];

    private static (byte[] Body, string? Expression) Case(string kind)
    {
        var example = ServiceCalls.Example("example-definite-ulnar-forearm.json");
        var firstEntry = example.IndexOf("\"entry\": [", StringComparison.Ordinal) + 10;
        return kind switch
        {
            "invalid-utf8" => (WithDisplay([.. Encoding.UTF8.GetBytes(Secret), 0xFF]), DisplayPath),
            "overlong" => (WithDisplay([0xC0, 0xAF]), DisplayPath),
            "encoded-surrogate" => (WithDisplay([0xED, 0xA0, 0x80]), DisplayPath),
            "lone-high-surrogate" => (WithDisplay(Secret + "\\ud800"), DisplayPath),
            "lone-low-surrogate" => (WithDisplay("\\udc00"), DisplayPath),
            "high-then-letter-escape" => (WithDisplay("\\ud800\\u0041"), DisplayPath),
            "nul" => (WithDisplay(Secret + "\\u0000"), DisplayPath),
            "utf-16" => (Encoding.Unicode.GetBytes(example), null),
            "no-resource-entry" => (Encoding.UTF8.GetBytes(example[..firstEntry] + "{\"fullUrl\": \"urn:uuid:6f0c4b1e-7a53-4a0e-9a61-3d2f1c5b8e03\"}, " + example[firstEntry..]), "Bundle.entry[0]"),
            "version-specific-fullurl" => (Encoding.UTF8.GetBytes(example.Replace("/Observation/example-definite-ulnar-forearm-obs-1\"", "/Observation/example-definite-ulnar-forearm-obs-1/_history/1\"", StringComparison.Ordinal)), "Bundle.entry[1].fullUrl"),
            _ => (Encoding.UTF8.GetBytes(example[..firstEntry] + example[firstEntry..].Replace("\"fullUrl\"", "\"request\": {\"method\": \"POST\", \"url\": \"Observation\"}, \"fullUrl\"", StringComparison.Ordinal)), null),
        };
    }

    private static ByteArrayContent Raw(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        return content;
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_body_with_bad_bytes_or_a_broken_bundle_invariant_is_400_with_a_located_outcome(string kind)
    {
        var (body, expression) = Case(kind);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Bundle") { Content = Raw(body) };
        request.Headers.Add("X-Correlation-Id", "bad-bytes-1");

        using var response = await service.CreateClient().SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        using var outcome = JsonDocument.Parse(text);
        Assert.Equal(("OperationOutcome", "bad-bytes-1"), (outcome.RootElement.GetProperty("resourceType").GetString(), outcome.RootElement.GetProperty("id").GetString()));
        var issue = outcome.RootElement.GetProperty("issue")[0];
        Assert.Equal("error", issue.GetProperty("severity").GetString());
        if (expression is not null)
        {
            Assert.Equal(expression, issue.GetProperty("expression")[0].GetString());
        }

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Logs.Events, e => e.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Valid_unicode_and_a_byte_order_mark_are_accepted_and_read_the_same_by_the_consumer_from_the_store()
    {
        var client = service.CreateClient();
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. WithDisplay("\\ud83d\\ude00 Patiënt \\u00e9 😀")];

        using var response = await client.PostAsync(new Uri("/fhir/Bundle", UriKind.Relative), Raw(withBom));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        var settled = await client.SettledAsync(id);

        Assert.Equal("completed", settled.GetProperty("state").GetString());
        Assert.Equal(1, settled.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_body_with_bad_bytes_that_never_passed_the_intake_is_dead_lettered_at_once_with_its_outcome()
    {
        // As a broker delivers it: straight into the queue, read only by the consumer.
        var transport = service.Services.GetRequiredService<IMessageTransport>();
        var client = service.CreateClient();
        var id = MessageIds.New();
        await transport.EnqueueAsync(new OutgoingMessage(id, "default", WithDisplay(Secret + "\\ud800"), "broker-1"), CancellationToken.None);

        var settled = await client.SettledAsync(id);

        Assert.Equal("dead-lettered", settled.GetProperty("state").GetString());
        Assert.Equal(1, settled.GetProperty("attempts").GetInt32());
        var issue = settled.GetProperty("outcome").GetProperty("issue")[0];
        Assert.Equal(DisplayPath, issue.GetProperty("expression")[0].GetString());
        Assert.DoesNotContain(Secret, settled.ToString(), StringComparison.Ordinal);
    }
}
