using System.Collections.Concurrent;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// The HTTP intake reads and checks every bundle before it answers; this keeps that reading for the consumer
/// so that the same bytes are not parsed twice. It is only a shortcut: a message it does not hold (after a
/// restart, from a broker, or beyond its bound) is read again from its stored body.
/// </summary>
public sealed class ReadCache
{
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, FeedBundle> bundles = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();

    public void Put(string messageId, FeedBundle bundle)
    {
        while (bundles.Count >= Capacity && order.TryDequeue(out var oldest))
        {
            bundles.TryRemove(oldest, out _);
        }

        if (bundles.TryAdd(messageId, bundle))
        {
            order.Enqueue(messageId);
        }
    }

    public bool TryTake(string messageId, out FeedBundle bundle) => bundles.TryRemove(messageId, out bundle!);

    public void Forget(string messageId) => bundles.TryRemove(messageId, out _);
}
