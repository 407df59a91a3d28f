using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using MediatR;

namespace FhirMmn.Service.Features.ResubmitMessage;

/// <summary>
/// An operator puts a dead-lettered message back in the queue once its cause is dealt with (the patient registered on
/// the FHIR server, a profile relaxed there...). The bundle is the one stored at intake; it is checked again when taken.
/// </summary>
public sealed record ResubmitMessage(string Id, string? Feed) : IRequest<ResubmitOutcome>;

public enum ResubmitOutcome
{
    Resubmitted,
    NotFound,
    NotDeadLettered,
}

internal sealed class ResubmitMessageHandler(IMessageTransport transport, MessageObserver observer, IMediator mediator) : IRequestHandler<ResubmitMessage, ResubmitOutcome>
{
    public async Task<ResubmitOutcome> Handle(ResubmitMessage request, CancellationToken cancellationToken)
    {
        // Another feed's message is not found: its feed never changes, so the check holds for the update after it.
        if (await mediator.Send(new GetMessage.GetMessage(request.Id, request.Feed), cancellationToken).ConfigureAwait(false) is null)
        {
            return ResubmitOutcome.NotFound;
        }

        if (await transport.ResubmitAsync(request.Id, cancellationToken).ConfigureAwait(false))
        {
            await observer.ResubmittedAsync(request.Id).ConfigureAwait(false);
            return ResubmitOutcome.Resubmitted;
        }

        return ResubmitOutcome.NotDeadLettered;
    }
}

internal static class ResubmitMessageEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/messages/{id}/resubmit", async (string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var correlation = Correlation.Id(context);
            switch (await mediator.Send(new ResubmitMessage(id, FeedAuthorization.MessageFeedOf(context)), cancellationToken).ConfigureAwait(false))
            {
                case ResubmitOutcome.Resubmitted:
                    context.Response.Headers.ContentLocation = $"/messages/{id}";
                    return Results.Text("{\"id\":\"" + id + "\",\"state\":\"queued\"}", "application/json", statusCode: StatusCodes.Status202Accepted);
                case ResubmitOutcome.NotFound:
                    return Outcomes.Result(StatusCodes.Status404NotFound, correlation, IssueCodes.NotFound, "No message with this id.");
                default:
                    return Outcomes.Result(StatusCodes.Status409Conflict, correlation, IssueCodes.Conflict,
                        "Only a dead-lettered message can be resubmitted; this one is not.");
            }
        }).RequireAuthorization(Messages.OperatorAuthorization.Policy).WithName("ResubmitMessage");
}
