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

    /// <summary>
    /// Every key at once (a patient known under several names): taken one by one in ordinal order, so that two callers
    /// whose keys overlap never hold one each while waiting for the other's. Released together.
    /// </summary>
    public async Task<IDisposable> AcquireAllAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var held = new List<IDisposable>();
        try
        {
            foreach (var key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                held.Add(await AcquireAsync(key, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            Dispose(held);
            throw;
        }

        return new Releaser(() => Dispose(held));
    }

    private static void Dispose(List<IDisposable> held)
    {
        for (var i = held.Count - 1; i >= 0; i--)
        {
            held[i].Dispose();
        }
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
