using System.Collections.Concurrent;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Messaging;

/// <summary>
/// The HTTP intake reads and checks every bundle before it answers; this keeps that reading for the consumer
/// so that the same bytes are not parsed twice. It is only a shortcut: a message it does not hold (after a
/// restart, from a broker, or pushed out by newer ones) is read again from its stored body. It holds at most
/// <see cref="FhirMmnOptions.ReadCacheBytes"/> worth of bundles (counted by their size on the wire), oldest out first.
/// Entries are keyed by feed and message id: a reading is only ever handed to a message of the feed that sent it.
/// </summary>
public sealed class ReadCache(IOptions<FhirMmnOptions> options)
{
    private readonly ConcurrentDictionary<string, (FeedBundle Bundle, long Bytes)> bundles = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();
    private long bytes;

    public void Put(string feed, string messageId, FeedBundle bundle, long size)
    {
        var key = Key(feed, messageId);
        var budget = options.Value.ReadCacheBytes;
        if (size > budget)
        {
            return;
        }

        while (Interlocked.Read(ref bytes) + size > budget && order.TryDequeue(out var oldest))
        {
            Take(oldest, out _);
        }

        if (bundles.TryAdd(key, (bundle, size)))
        {
            Interlocked.Add(ref bytes, size);
            order.Enqueue(key);
        }
    }

    public bool TryTake(string feed, string messageId, out FeedBundle bundle) => Take(Key(feed, messageId), out bundle);

    public void Forget(string feed, string messageId) => Take(Key(feed, messageId), out _);

    private static string Key(string feed, string messageId) => feed + "\n" + messageId;

    private bool Take(string key, out FeedBundle bundle)
    {
        if (bundles.TryRemove(key, out var entry))
        {
            Interlocked.Add(ref bytes, -entry.Bytes);
            bundle = entry.Bundle;
            return true;
        }

        bundle = null!;
        return false;
    }
}
