using System.Text.Json.Serialization;
using FhirMmn.Service.Storage;

namespace FhirMmn.Service.Features.Messages;

[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(MessageHistoryView))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(ResubmitSummary))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class OperationsJson : JsonSerializerContext;

/// <summary>GET /messages: a page, newest first; <c>next</c> is the cursor of the next page (absent on the last).</summary>
public sealed record MessagePage(IReadOnlyList<MessageSummary> Messages, string? Next);

/// <summary>GET /messages/{id}/history.</summary>
public sealed record MessageHistoryView(MessageSummary Message, IReadOnlyList<MessageEvent> Events);

/// <summary>GET /messages/stats: per feed, the queue now and the last hour.</summary>
public sealed record StatsView(DateTimeOffset At, IReadOnlyList<FeedStats> Feeds);

public sealed record FeedStats(
    string Feed,
    long Queued,
    long Processing,
    long DeadLettered,
    double OldestWaitingSeconds,
    HourStats LastHour);

public sealed record HourStats(long Received, long Completed, long DeadLettered, long Rescheduled, double? LatencyP50Ms, double? LatencyP95Ms);

/// <summary>POST /messages/resubmit: what matched the filter, what was queued again (none on a dry run), and which.</summary>
public sealed record ResubmitSummary(bool DryRun, long Matched, int Resubmitted, IReadOnlyList<string> Ids, long Remaining);
