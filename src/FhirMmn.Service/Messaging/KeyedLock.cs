namespace FhirMmn.Service.Messaging;

/// <summary>
/// Serialises work per key (feed and patient) in this process: two bundles of one patient never race.
/// Conditional creates on real FHIR servers make duplicates when they run concurrently.
/// </summary>
public sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                entries[key] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release(key, entry, held: false);
            throw;
        }

        return new Releaser(() => Release(key, entry, held: true));
    }

    private void Release(string key, Entry entry, bool held)
    {
        if (held)
        {
            entry.Gate.Release();
        }

        lock (entries)
        {
            if (--entry.Users == 0)
            {
                entries.Remove(key);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        private Action? pending = release;

        public void Dispose() => Interlocked.Exchange(ref pending, null)?.Invoke();
    }
}
