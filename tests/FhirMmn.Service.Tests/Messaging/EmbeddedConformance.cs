using FhirMmn.Service.Messaging;

namespace FhirMmn.Service.Tests.Messaging;

/// <summary>The embedded SQLite queue against the conformance suite: a lost lock is one that expired.</summary>
public sealed class EmbeddedConformance : TransportConformance
{
    protected override Task<IMessageTransport> CreateAsync() =>
        Task.FromResult<IMessageTransport>(new SqliteTransport(Database, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(Options)));

    protected override async Task<IMessageTransport> LoseLockAsync(IMessageTransport holder)
    {
        await Task.Delay(Options.LockDuration + TimeSpan.FromMilliseconds(200));
        return holder;
    }

    protected override Task<IReadOnlyList<string>> DeadLetterReasonsAsync()
    {
        using var connection = Database.OpenReader();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT outcome FROM messages WHERE state = 'dead-lettered'";
        using var reader = command.ExecuteReader();
        var reasons = new List<string>();
        while (reader.Read())
        {
            reasons.Add(BrokerEdge.Reason(reader.GetString(0)).Reason);
        }

        return Task.FromResult<IReadOnlyList<string>>(reasons);
    }
}
