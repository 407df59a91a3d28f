using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.Messages;

/// <summary>One message's steps: received, then each settlement (completed, rescheduled, released, dead-lettered) and resubmission.</summary>
public sealed record GetMessageHistory(string Id) : IRequest<MessageHistoryView?>;

internal sealed class GetMessageHistoryHandler(MessageLedger ledger) : IRequestHandler<GetMessageHistory, MessageHistoryView?>
{
    public Task<MessageHistoryView?> Handle(GetMessageHistory request, CancellationToken cancellationToken) =>
        Task.FromResult(ledger.History(request.Id) is { } found ? new MessageHistoryView(found.Message, found.Events) : null);
}

internal static class MessageHistoryEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/messages/{id}/history", async (string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var (feed, _) = OperatorAccess.FeedFor(context, null);
            var history = await mediator.Send(new GetMessageHistory(id), cancellationToken).ConfigureAwait(false);

            // Another feed's message is not found, not forbidden: its id tells nothing.
            return history is null || (feed is not null && history.Message.Feed != feed)
                ? Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound, "No message with this id.")
                : Results.Json(history, OperationsJson.Default.MessageHistoryView);
        }).RequireAuthorization(OperatorAuthorization.Policy).WithName("GetMessageHistory");
}
