using System.Globalization;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.Messages;

/// <summary>Messages newest first, a page at a time: state, attempts, reason codes and times, never what they carry.</summary>
public sealed record ListMessages(MessageFilter Filter, int Count, long? After) : IRequest<MessagePage>;

internal sealed class ListMessagesHandler(MessageLedger ledger) : IRequestHandler<ListMessages, MessagePage>
{
    public Task<MessagePage> Handle(ListMessages request, CancellationToken cancellationToken)
    {
        var (messages, next) = ledger.List(request.Filter, request.Count, request.After);
        return Task.FromResult(new MessagePage(messages, next?.ToString(CultureInfo.InvariantCulture)));
    }
}

internal static class ListMessagesEndpoint
{
    public const int DefaultCount = 50;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/messages", async (HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var query = context.Request.Query;
            var state = query["state"].ToString();
            if (state.Length > 0 && !MessageLedger.States.Contains(state))
            {
                return OperatorAccess.Invalid(context, "state must be queued, processing, completed or dead-lettered.");
            }

            var since = query["since"].ToString();
            var sinceAt = OperatorAccess.Instant(since);
            if (since.Length > 0 && sinceAt is null)
            {
                return OperatorAccess.Invalid(context, "since must be an instant (ISO 8601, such as 2026-12-01T08:00:00Z).");
            }

            var countText = query["_count"].ToString();
            var count = DefaultCount;
            if (countText.Length > 0 && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MessageLedger.MaxPage))
            {
                return OperatorAccess.Invalid(context, $"_count must be a whole number from 1 to {MessageLedger.MaxPage}.");
            }

            var cursorText = query["cursor"].ToString();
            long? cursor = null;
            if (cursorText.Length > 0)
            {
                if (!long.TryParse(cursorText, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
                {
                    return OperatorAccess.Invalid(context, "cursor must be the next value of a previous page.");
                }

                cursor = after;
            }

            var (feed, refusal) = OperatorAccess.FeedFor(context, query["feed"].ToString());
            if (refusal is not null)
            {
                return refusal;
            }

            var page = await mediator.Send(new ListMessages(new MessageFilter(state.Length > 0 ? state : null, feed, sinceAt), count, cursor), cancellationToken).ConfigureAwait(false);
            return Results.Json(page, OperationsJson.Default.MessagePage);
        }).RequireAuthorization(OperatorAuthorization.Policy).WithName("ListMessages");
}
