using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.Messages;

/// <summary>Per feed: queue depth, dead letters, the oldest waiting message's age, and the last hour's counts and latency.</summary>
public sealed record GetMessageStats(string? Feed) : IRequest<StatsView>;

internal sealed class GetMessageStatsHandler(MessageLedger ledger, TimeProvider clock, Feeds.FeedRegistry registry) : IRequestHandler<GetMessageStats, StatsView>
{
    public Task<StatsView> Handle(GetMessageStats request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var queues = ledger.Queues(now).ToDictionary(q => q.Feed, StringComparer.Ordinal);
        var hours = ledger.LastHour(now).ToDictionary(h => h.Feed, StringComparer.Ordinal);
        var feeds = queues.Keys.Concat(hours.Keys).Concat(registry.All.Select(f => f.Name))
            .Distinct(StringComparer.Ordinal)
            .Where(f => request.Feed is null || f == request.Feed)
            .Order(StringComparer.Ordinal)
            .Select(f =>
            {
                var queue = queues.GetValueOrDefault(f) ?? new QueueSnapshot(f, 0, 0, 0, TimeSpan.Zero);
                var hour = hours.GetValueOrDefault(f) ?? new HourSnapshot(f, 0, 0, 0, 0, null, null);
                return new FeedStats(f, queue.Queued, queue.Processing, queue.DeadLettered, Math.Round(queue.OldestAge.TotalSeconds, 3),
                    new HourStats(hour.Received, hour.Completed, hour.DeadLettered, hour.Rescheduled, hour.LatencyP50Ms, hour.LatencyP95Ms));
            })
            .ToList();
        return Task.FromResult(new StatsView(now, feeds));
    }
}

internal static class MessageStatsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/messages/stats", async (HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var (feed, refusal) = OperatorAccess.FeedFor(context, context.Request.Query["feed"].ToString());
            return refusal ?? Results.Json(await mediator.Send(new GetMessageStats(feed), cancellationToken).ConfigureAwait(false), OperationsJson.Default.StatsView);
        }).RequireAuthorization(OperatorAuthorization.Policy).WithName("GetMessageStats");
}
