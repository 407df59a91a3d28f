using System.Text.Json;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using MediatR;

namespace FhirMmn.Service.Features.GetMessage;

/// <summary>Where a message of <paramref name="Feed"/> stands: queued, processing, completed or dead-lettered (docs/architecture.md, "Interfaces"). Another feed's message is not found.</summary>
public sealed record GetMessage(string Id, string? Feed) : IRequest<MessageStatus?>;

internal sealed class GetMessageHandler(Database database) : IRequestHandler<GetMessage, MessageStatus?>
{
    public Task<MessageStatus?> Handle(GetMessage request, CancellationToken cancellationToken)
    {
        using var connection = database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, state, attempts, written, outcome, received_at, completed_at FROM messages WHERE id = $id AND ($feed IS NULL OR feed = $feed)";
        command.Parameters.AddWithValue("$id", request.Id);
        command.Parameters.AddWithValue("$feed", (object?)request.Feed ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return Task.FromResult<MessageStatus?>(null);
        }

        var written = reader.IsDBNull(3) ? [] : JsonSerializer.Deserialize(reader.GetString(3), MessageJson.Default.IReadOnlyListString) ?? [];
        JsonElement? outcome = null;
        if (!reader.IsDBNull(4))
        {
            using var document = JsonDocument.Parse(reader.GetString(4));
            outcome = document.RootElement.Clone();
        }

        return Task.FromResult<MessageStatus?>(new MessageStatus(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetInt32(2),
            written,
            outcome,
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
    }
}

internal static class GetMessageEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/messages/{id}", async (string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var status = await mediator.Send(new GetMessage(id, FeedAuthorization.MessageFeedOf(context)), cancellationToken).ConfigureAwait(false);
            return status is null
                ? Outcomes.Result(StatusCodes.Status404NotFound, Correlation.Id(context), IssueCodes.NotFound, "No message with this id.")
                : Results.Json(status, MessageJson.Default.MessageStatus);
        }).RequireAuthorization(FeedAuthorization.Policy).WithName("GetMessage");
}
