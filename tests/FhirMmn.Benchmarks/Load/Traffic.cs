using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace FhirMmn.Benchmarks.Load;

/// <summary>One request: when it started (or was due), when its answer was read, its HTTP status (0: no answer).</summary>
internal readonly record struct Sample(long Start, long End, int Status)
{
    public double Milliseconds => Stopwatch.GetElapsedTime(Start, End).TotalMilliseconds;
}

/// <summary>What a run of requests gave: one sample per body, in order, and the wall-clock time of the first.</summary>
internal sealed record SendResult(IReadOnlyList<Sample> Samples, DateTimeOffset Started, int ExpectedStatus)
{
    public int Ok => Samples.Count(s => s.Status == ExpectedStatus);

    public int Failed => Samples.Count - Ok;

    public IEnumerable<double> LatenciesMs => Samples.Where(s => s.Status == ExpectedStatus).Select(s => s.Milliseconds);

    /// <summary>First request's start to last answer.</summary>
    public double Seconds => Stopwatch.GetElapsedTime(Samples.Min(s => s.Start), Samples.Max(s => s.End)).TotalSeconds;

    /// <summary>e.g. "503 x 4, no answer x 1".</summary>
    public string Failures => string.Join(", ", Samples
        .Where(s => s.Status != ExpectedStatus)
        .GroupBy(s => s.Status)
        .OrderBy(g => g.Key)
        .Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))} x {g.Count().ToString(CultureInfo.InvariantCulture)}"));
}

/// <summary>POSTs FHIR JSON to one URL over at most <c>connections</c> pooled HTTP/1.1 connections.</summary>
internal sealed class Poster : IDisposable
{
    private static readonly MediaTypeHeaderValue FhirJson = new("application/fhir+json");

    private readonly HttpClient http;
    private readonly Uri target;

    public Poster(Uri target, int connections, int expectedStatus)
    {
        this.target = target;
        ExpectedStatus = expectedStatus;
        http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(120),
        };
    }

    public int ExpectedStatus { get; }

    /// <summary>The status once the whole answer is read; 0 when none came (refused, reset, timed out).</summary>
    public async Task<int> PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = FhirJson;
        try
        {
            using var response = await http.PostAsync(target, content, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    public void Dispose() => http.Dispose();
}

/// <summary>The two ways to send: as fast as answers come back, or on a fixed schedule whatever the answers.</summary>
internal static class Traffic
{
    /// <summary>Closed loop: <paramref name="concurrency"/> senders, each sends the next body when its last is answered.</summary>
    public static async Task<SendResult> ClosedLoopAsync(Poster poster, IReadOnlyList<byte[]> bodies, int concurrency, CancellationToken cancellationToken)
    {
        var samples = new Sample[bodies.Count];
        var next = -1;
        var started = DateTimeOffset.UtcNow;

        async Task Sender()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var start = Stopwatch.GetTimestamp();
                var status = await poster.PostAsync(bodies[i], cancellationToken).ConfigureAwait(false);
                samples[i] = new Sample(start, Stopwatch.GetTimestamp(), status);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Sender, cancellationToken))).ConfigureAwait(false);
        return new SendResult(samples, started, poster.ExpectedStatus);
    }

    /// <summary>
    /// Open loop: body i is due at i / rate seconds; it is sent then even if earlier ones are unanswered. Latency
    /// counts from when it was due, so a stall shows in it instead of delaying the schedule (no coordinated omission).
    /// </summary>
    public static async Task<SendResult> OpenLoopAsync(Poster poster, IReadOnlyList<byte[]> bodies, double rate, CancellationToken cancellationToken)
    {
        var samples = new Sample[bodies.Count];
        var sends = new Task[bodies.Count];
        var started = DateTimeOffset.UtcNow;
        var origin = Stopwatch.GetTimestamp();

        async Task Send(int i, long due)
        {
            var status = await poster.PostAsync(bodies[i], cancellationToken).ConfigureAwait(false);
            samples[i] = new Sample(due, Stopwatch.GetTimestamp(), status);
        }

        for (var i = 0; i < bodies.Count; i++)
        {
            var due = origin + (long)(i * Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            // Late (the schedule slipped): count from when it was due. Early (the delay rounds): from now.
            sends[i] = Send(i, Math.Min(due, Stopwatch.GetTimestamp()));
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        return new SendResult(samples, started, poster.ExpectedStatus);
    }
}
