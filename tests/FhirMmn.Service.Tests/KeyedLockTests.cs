using FhirMmn.Service.Messaging;

namespace FhirMmn.Service.Tests;

/// <summary>Locks on every name of a patient at once: overlapping sets serialise, and never deadlock whatever order they are given in.</summary>
public sealed class KeyedLockTests
{
    [Fact]
    public async Task Overlapping_key_sets_taken_in_opposite_orders_never_deadlock_and_never_overlap()
    {
        var locks = new KeyedLock();
        var inside = 0;
        var overlapped = false;

        async Task Run(string[] keys)
        {
            for (var i = 0; i < 200; i++)
            {
                using var held = await locks.AcquireAllAsync(keys, CancellationToken.None);
                if (Interlocked.Increment(ref inside) > 1)
                {
                    overlapped = true;
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(Run(["a", "b", "c"]), Run(["c", "b", "a"]), Run(["b", "a"]), Run(["c", "a"]))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(overlapped);
    }

    [Fact]
    public async Task A_cancelled_wait_releases_the_keys_already_taken()
    {
        var locks = new KeyedLock();
        var b = await locks.AcquireAllAsync(["b"], CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locks.AcquireAllAsync(["a", "b"], cancel.Token));
        b.Dispose();

        using var a = await locks.AcquireAllAsync(["a"], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
