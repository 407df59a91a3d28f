using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FhirMmn.Cli;

/// <summary>How the messages commands reach a running service: the HTTP handler (tests give the in-process server's) and the environment.</summary>
public sealed record ServiceConnection(HttpMessageHandler? Handler = null, Func<string, string?>? Environment = null)
{
    public const string TokenVariable = "FHIRMMN_TOKEN";

    public string? Token => (Environment ?? System.Environment.GetEnvironmentVariable)(TokenVariable) is { Length: > 0 } token ? token : null;
}

/// <summary>
/// <c>fhirmmn messages list|show|resubmit|stats</c>: the service's messages API (docs/operations.md) for people
/// (tables) and scripts (<c>--json</c>, the API's own JSON). The bearer token comes from FHIRMMN_TOKEN, never from an
/// argument (arguments show in process lists and shell histories). Exit codes as for the other commands: 0 done;
/// 1 usage error (also: the service cannot be reached); 2 refused by the service (its OperationOutcome on stdout).
/// </summary>
internal static class MessagesCommand
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Create(TextWriter stdout, TextWriter stderr, ServiceConnection connection)
    {
        var url = new Option<string>("--url") { Description = "The service's base URL.", DefaultValueFactory = _ => DefaultUrl, Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table.", Recursive = true };
        var feed = new Option<string?>("--feed") { Description = "Only this feed (with a token: the token's own)." };

        var state = new Option<string?>("--state") { Description = "queued, processing, completed or dead-lettered." };
        var since = new Option<string?>("--since") { Description = "Received at or after this instant (ISO 8601, e.g. 2026-12-01T08:00:00Z)." };
        var count = new Option<int?>("--count") { Description = "Messages per page (1-500, default 50)." };
        var cursor = new Option<string?>("--cursor") { Description = "The next page: the cursor the previous page printed." };
        var list = new Command("list", "List messages, newest first: state, attempts, reason codes, times.") { state, feed, since, count, cursor };
        list.SetAction(result => Run(stdout, stderr, () =>
        {
            var query = new List<string>();
            void Add(string name, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add(name + "=" + Uri.EscapeDataString(value));
                }
            }

            Add("state", result.GetValue(state));
            Add("feed", result.GetValue(feed));
            Add("since", result.GetValue(since));
            Add("_count", result.GetValue(count)?.ToString(CultureInfo.InvariantCulture));
            Add("cursor", result.GetValue(cursor));
            var path = "/messages" + (query.Count > 0 ? "?" + string.Join("&", query) : string.Empty);
            return Call(stdout, connection, result.GetValue(url)!, HttpMethod.Get, path, null, result.GetValue(json), ListTable);
        }));

        var id = new Argument<string>("ID") { Description = "The message id (from the 202 of the intake, or a listing)." };
        var show = new Command("show", "Show one message and its history: received, settlements, resubmissions.") { id };
        show.SetAction(result => Run(stdout, stderr, () =>
            Call(stdout, connection, result.GetValue(url)!, HttpMethod.Get, $"/messages/{Uri.EscapeDataString(result.GetValue(id)!)}/history", null, result.GetValue(json), ShowTable)));

        var one = new Argument<string?>("ID") { Description = "One dead-lettered message; without it, every dead-lettered message the filter matches.", Arity = ArgumentArity.ZeroOrOne };
        var reason = new Option<string?>("--reason") { Description = "Only dead letters with this FHIR issue code (e.g. processing, not-found)." };
        var from = new Option<string?>("--since") { Description = "Received at or after this instant." };
        var until = new Option<string?>("--until") { Description = "Received before this instant." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say which messages would be resubmitted." };
        var resubmit = new Command("resubmit", "Put dead-lettered messages back in the queue once their cause is dealt with: one id, or a filter.")
        {
            one, feed, reason, from, until, dryRun,
        };
        resubmit.SetAction(result => Run(stdout, stderr, () =>
        {
            var body = new JsonObject();
            if (result.GetValue(one) is { } single)
            {
                if (result.GetValue(reason) is not null || result.GetValue(from) is not null || result.GetValue(until) is not null)
                {
                    throw new CliUsageException("Give an ID or a filter (--reason, --since, --until), not both.");
                }

                body["id"] = single;
            }
            else
            {
                body["state"] = "dead-lettered";
                Set(body, "reason", result.GetValue(reason));
                Set(body, "since", result.GetValue(from));
                Set(body, "until", result.GetValue(until));
            }

            Set(body, "feed", result.GetValue(feed));
            if (result.GetValue(dryRun))
            {
                body["dryRun"] = true;
            }

            return Call(stdout, connection, result.GetValue(url)!, HttpMethod.Post, "/messages/resubmit", body.ToJsonString(), result.GetValue(json), ResubmitTable);
        }));

        var stats = new Command("stats", "Per feed: waiting and dead-lettered messages, the oldest waiting one's age, the last hour's counts and latency.") { feed };
        stats.SetAction(result => Run(stdout, stderr, () =>
        {
            var path = "/messages/stats" + (result.GetValue(feed) is { Length: > 0 } f ? "?feed=" + Uri.EscapeDataString(f) : string.Empty);
            return Call(stdout, connection, result.GetValue(url)!, HttpMethod.Get, path, null, result.GetValue(json), StatsTable);
        }));

        return new Command("messages", "The messages of a running service (needs the operator role; token in FHIRMMN_TOKEN).")
        {
            url, json, list, show, resubmit, stats,
        };
    }

    private static void Set(JsonObject body, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            body[name] = value;
        }
    }

    private static int Run(TextWriter stdout, TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CliUsageException e)
        {
            stderr.WriteLine(e.Message);
            return CliApp.UsageError;
        }
        catch (HttpRequestException e)
        {
            stderr.WriteLine($"The service cannot be reached ({(e.HttpRequestError == HttpRequestError.Unknown ? e.GetType().Name : e.HttpRequestError.ToString())}): check --url.");
            return CliApp.UsageError;
        }
        catch (TaskCanceledException)
        {
            stderr.WriteLine("The service did not answer in time: check --url.");
            return CliApp.UsageError;
        }
        catch (JsonException)
        {
            stderr.WriteLine("The service's answer is not the messages API's JSON: check --url.");
            return CliApp.UsageError;
        }
    }

    private static int Call(TextWriter stdout, ServiceConnection connection, string url, HttpMethod method, string path, string? body, bool json, Action<TextWriter, JsonElement> table)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException("--url must be an absolute http or https URL.");
        }

        using var client = connection.Handler is null ? new HttpClient() : new HttpClient(connection.Handler, disposeHandler: false);
        client.Timeout = TimeSpan.FromSeconds(30);
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        if (connection.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        // Asynchronous calls waited for: not every handler supports the synchronous Send (the test server's does not).
        using var response = client.SendAsync(request).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            // The service's OperationOutcome, as the other commands print theirs.
            stdout.WriteLine(text.Length > 0 ? text : "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"processing\",\"details\":{\"text\":\"HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + "\"}}]}");
            return response.StatusCode is HttpStatusCode.NotFound && text.Length == 0 ? CliApp.UsageError : CliApp.Refused;
        }

        using var document = JsonDocument.Parse(text);
        if (json)
        {
            stdout.WriteLine(text);
        }
        else
        {
            table(stdout, document.RootElement);
        }

        return CliApp.Done;
    }

    private static void ListTable(TextWriter stdout, JsonElement page)
    {
        var rows = page.GetProperty("messages").EnumerateArray().Select(m => new[]
        {
            m.GetProperty("id").GetString()!,
            m.GetProperty("feed").GetString()!,
            m.GetProperty("state").GetString()!,
            m.GetProperty("attempts").GetInt32().ToString(CultureInfo.InvariantCulture),
            Codes(m.GetProperty("reasons")),
            Time(m, "receivedAt"),
            Time(m, "completedAt"),
        }).ToList();
        Table(stdout, ["ID", "FEED", "STATE", "ATTEMPTS", "REASONS", "RECEIVED", "SETTLED"], rows);
        if (page.TryGetProperty("next", out var next))
        {
            stdout.WriteLine($"more: --cursor {next.GetString()}");
        }
    }

    private static void ShowTable(TextWriter stdout, JsonElement history)
    {
        var m = history.GetProperty("message");
        stdout.WriteLine($"{m.GetProperty("id").GetString()}  feed {m.GetProperty("feed").GetString()}  {m.GetProperty("state").GetString()}  attempts {m.GetProperty("attempts").GetInt32().ToString(CultureInfo.InvariantCulture)}"
            + (m.GetProperty("reasons").GetArrayLength() > 0 ? "  reasons " + Codes(m.GetProperty("reasons")) : string.Empty));
        var rows = history.GetProperty("events").EnumerateArray().Select(e => new[]
        {
            Time(e, "at"),
            e.GetProperty("event").GetString()!,
            e.GetProperty("attempt").GetInt32() is var attempt and > 0 ? attempt.ToString(CultureInfo.InvariantCulture) : string.Empty,
            Codes(e.GetProperty("codes")),
        }).ToList();
        Table(stdout, ["AT", "STEP", "ATTEMPT", "CODES"], rows);
    }

    private static void ResubmitTable(TextWriter stdout, JsonElement summary)
    {
        var dry = summary.GetProperty("dryRun").GetBoolean();
        var matched = summary.GetProperty("matched").GetInt64().ToString(CultureInfo.InvariantCulture);
        stdout.WriteLine(dry
            ? $"dry run: {matched} dead-lettered message(s) match; these would be resubmitted:"
            : $"{summary.GetProperty("resubmitted").GetInt32().ToString(CultureInfo.InvariantCulture)} of {matched} matching message(s) resubmitted:");
        foreach (var id in summary.GetProperty("ids").EnumerateArray())
        {
            stdout.WriteLine("  " + id.GetString());
        }

        if (summary.GetProperty("remaining").GetInt64() is var remaining and > 0)
        {
            stdout.WriteLine($"{remaining.ToString(CultureInfo.InvariantCulture)} more match: run the command again.");
        }
    }

    private static void StatsTable(TextWriter stdout, JsonElement stats)
    {
        static string Ms(JsonElement hour, string name) =>
            hour.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0", CultureInfo.InvariantCulture) : "-";
        var rows = stats.GetProperty("feeds").EnumerateArray().Select(f =>
        {
            var hour = f.GetProperty("lastHour");
            return new[]
            {
                f.GetProperty("feed").GetString()!,
                f.GetProperty("queued").GetInt64().ToString(CultureInfo.InvariantCulture),
                f.GetProperty("processing").GetInt64().ToString(CultureInfo.InvariantCulture),
                f.GetProperty("deadLettered").GetInt64().ToString(CultureInfo.InvariantCulture),
                f.GetProperty("oldestWaitingSeconds").GetDouble().ToString("0.0", CultureInfo.InvariantCulture),
                hour.GetProperty("received").GetInt64().ToString(CultureInfo.InvariantCulture),
                hour.GetProperty("completed").GetInt64().ToString(CultureInfo.InvariantCulture),
                hour.GetProperty("deadLettered").GetInt64().ToString(CultureInfo.InvariantCulture),
                hour.GetProperty("rescheduled").GetInt64().ToString(CultureInfo.InvariantCulture),
                Ms(hour, "latencyP50Ms") + " / " + Ms(hour, "latencyP95Ms"),
            };
        }).ToList();
        Table(stdout, ["FEED", "QUEUED", "PROCESSING", "DEAD-LETTERED", "OLDEST WAITING (S)", "RECEIVED 1H", "COMPLETED 1H", "DEAD-LETTERED 1H", "RESCHEDULED 1H", "LATENCY P50 / P95 (MS)"], rows);
    }

    private static string Codes(JsonElement codes) => string.Join(",", codes.EnumerateArray().Select(c => c.GetString()));

    private static string Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "-";

    private static void Table(TextWriter stdout, string[] headers, List<string[]> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        void Line(string[] cells) => stdout.WriteLine(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(headers);
        foreach (var row in rows)
        {
            Line(row);
        }

        if (rows.Count == 0)
        {
            stdout.WriteLine("(none)");
        }
    }
}

internal sealed class CliUsageException(string message) : Exception(message);
