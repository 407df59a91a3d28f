using System.Text.Json;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.Messages;

/// <summary>
/// Puts dead-lettered messages back in the queue once their cause is dealt with: one by id, or those a filter
/// matches (feed, reason code, time window), oldest first, at most <see cref="ResubmitMessagesHandler.MaxPerCall"/>
/// a call (<c>remaining</c> says how many more match). A dry run only says which.
/// </summary>
public sealed record ResubmitMessages(string? Id, MessageFilter Filter, bool DryRun) : IRequest<ResubmitSummary?>;

internal sealed class ResubmitMessagesHandler(MessageLedger ledger, IMessageTransport transport, MessageObserver observer) : IRequestHandler<ResubmitMessages, ResubmitSummary?>
{
    public const int MaxPerCall = 1000;

    /// <summary>Null when <see cref="ResubmitMessages.Id"/> names no message of the filter's feed.</summary>
    public async Task<ResubmitSummary?> Handle(ResubmitMessages request, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> ids;
        long matched;
        if (request.Id is { } id)
        {
            var found = ledger.History(id);
            if (found is null || (request.Filter.Feed is { } feed && found.Value.Message.Feed != feed))
            {
                return null;
            }

            ids = found.Value.Message.State == "dead-lettered" ? [id] : [];
            matched = ids.Count;
        }
        else
        {
            (ids, matched) = ledger.DeadLettered(request.Filter, MaxPerCall);
        }

        if (request.DryRun)
        {
            return new ResubmitSummary(true, matched, 0, ids, Math.Max(0, matched - ids.Count));
        }

        var done = await Task.WhenAll(ids.Select(async one =>
        {
            var resubmitted = await transport.ResubmitAsync(one, cancellationToken).ConfigureAwait(false);
            if (resubmitted)
            {
                await observer.ResubmittedAsync(one).ConfigureAwait(false);
            }

            return resubmitted ? one : null;
        })).ConfigureAwait(false);
        var queued = done.OfType<string>().ToList();
        return new ResubmitSummary(false, matched, queued.Count, queued, Math.Max(0, matched - ids.Count));
    }
}

internal static class ResubmitMessagesEndpoint
{
    private static readonly string[] Fields = ["id", "state", "feed", "reason", "since", "until", "dryRun"];

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/messages/resubmit", async (HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            JsonElement body;
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return OperatorAccess.Invalid(context, "Send a JSON object: {\"id\": ...} or {\"state\": \"dead-lettered\", \"feed\", \"reason\", \"since\", \"until\", \"dryRun\"}.");
            }

            if (body.ValueKind != JsonValueKind.Object)
            {
                return OperatorAccess.Invalid(context, "Send a JSON object.");
            }

            string? Text(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            foreach (var property in body.EnumerateObject())
            {
                var known = Fields.Contains(property.Name);
                var typed = property.Name == "dryRun" ? property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False : property.Value.ValueKind == JsonValueKind.String;
                if (!known || !typed)
                {
                    return OperatorAccess.Invalid(context, known
                        ? "dryRun must be true or false; id, state, feed, reason, since and until must be strings."
                        : "Unknown field: the fields are id, state, feed, reason, since, until and dryRun.");
                }
            }

            var id = Text("id");
            var state = Text("state");
            if (id is null && state != "dead-lettered")
            {
                return OperatorAccess.Invalid(context, "Give an id, or a filter with state \"dead-lettered\" (only dead-lettered messages can be resubmitted).");
            }

            if (id is not null && (state is not null || Text("reason") is not null || Text("since") is not null || Text("until") is not null))
            {
                return OperatorAccess.Invalid(context, "Give an id or a filter, not both.");
            }

            DateTimeOffset? since = null, until = null;
            foreach (var (name, set) in new (string, Action<DateTimeOffset?>)[] { ("since", v => since = v), ("until", v => until = v) })
            {
                if (Text(name) is { } text)
                {
                    var at = OperatorAccess.Instant(text);
                    if (at is null)
                    {
                        return OperatorAccess.Invalid(context, $"{name} must be an instant (ISO 8601, such as 2026-12-01T08:00:00Z).");
                    }

                    set(at);
                }
            }

            var (feed, refusal) = OperatorAccess.FeedFor(context, Text("feed"));
            if (refusal is not null)
            {
                return refusal;
            }

            var dryRun = body.TryGetProperty("dryRun", out var dry) && dry.ValueKind == JsonValueKind.True;
            var summary = await mediator.Send(new ResubmitMessages(id, new MessageFilter("dead-lettered", feed, since, until, Text("reason")), dryRun), cancellationToken).ConfigureAwait(false);
            if (summary is null)
            {
                return Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound, "No message with this id.");
            }

            return id is not null && summary.Matched == 0
                ? Outcomes.Result(StatusCodes.Status409Conflict, Correlation.Id(context), IssueCodes.Conflict, "Only a dead-lettered message can be resubmitted; this one is not.")
                : Results.Json(summary, OperationsJson.Default.ResubmitSummary);
        }).RequireAuthorization(OperatorAuthorization.Policy).WithName("ResubmitMessages");
}
