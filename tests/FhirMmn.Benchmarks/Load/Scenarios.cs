using System.Globalization;

namespace FhirMmn.Benchmarks.Load;

/// <summary>
/// The four measurements. Each starts its own fresh service (and FHIR server), warms it up with as many
/// uncounted bundles (or transactions) as the others, then measures. Bundles are made before the clock starts.
/// </summary>
internal sealed class Scenarios(LoadSettings settings, BundleGenerator bundles, TextWriter progress)
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    private const int WarmupRounds = 8;

    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan JitPause = TimeSpan.FromSeconds(2);

    public const string Embedded = "embedded";
    public const string RabbitMq = "rabbitmq";

    /// <summary>1. As fast as the service takes bundles, null sink, on the embedded queue or RabbitMQ.</summary>
    public async Task<ScenarioResult> CeilingAsync(string transport, CancellationToken cancellationToken)
    {
        var measured = bundles.Next(settings.Bundles);
        var broker = transport == RabbitMq ? await FhirMmn.Testing.RabbitMqBroker.Shared().ConfigureAwait(false) : null;
        var queue = broker is null ? null : "load-" + Guid.NewGuid().ToString("N")[..12];
        var service = await ServiceProcess.StartAsync(settings.ServiceConcurrency, null, cancellationToken, broker?.Address, queue).ConfigureAwait(false);
        await using var running = service.ConfigureAwait(false);
        Say($"service up at {service.BaseAddress} on {(broker is null ? "the embedded queue" : "RabbitMQ")}, write-back to the null sink");
        using var poster = new Poster(service.BundleEndpoint, settings.Concurrency, 202);
        await WarmUpAsync(service, poster, settings.Warmup, cancellationToken).ConfigureAwait(false);
        Say($"ceiling ({transport}): {settings.Bundles} bundles over {settings.Concurrency} connections");
        return await MeasureAsync(
            broker is null ? Report.Ceiling : Report.RabbitMqCeiling,
            $"1. Ceiling, null sink, {settings.Concurrency} connections{(broker is null ? string.Empty : ", RabbitMQ")}", service, null,
            () => Traffic.ClosedLoopAsync(poster, measured, settings.Concurrency, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>2. A fixed rate, open loop, null sink.</summary>
    public async Task<ScenarioResult> FixedRateAsync(CancellationToken cancellationToken)
    {
        var measured = bundles.Next((int)Math.Round(settings.Rate * settings.DurationSeconds));
        await using var service = await StartServiceAsync(null, cancellationToken).ConfigureAwait(false);
        using var poster = new Poster(service.BundleEndpoint, settings.Concurrency, 202);
        await WarmUpAsync(service, poster, settings.Warmup, cancellationToken).ConfigureAwait(false);
        Say($"rate: {measured.Count} bundles at {Number(settings.Rate)}/s for {settings.DurationSeconds} s");
        return await MeasureAsync(Report.FixedRate, $"2. Fixed rate {Number(settings.Rate)}/s for {settings.DurationSeconds} s, null sink", service, null,
            () => Traffic.OpenLoopAsync(poster, measured, settings.Rate, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>3. Written back to a fresh FHIR server.</summary>
    public async Task<ScenarioResult> WithFhirServerAsync(CancellationToken cancellationToken)
    {
        var measured = bundles.Next(settings.FhirBundles);
        await using var fhir = await FhirServerProcess.StartAsync(cancellationToken).ConfigureAwait(false);
        await using var service = await StartServiceAsync(fhir.BaseUrl, cancellationToken).ConfigureAwait(false);
        using var poster = new Poster(service.BundleEndpoint, settings.Concurrency, 202);
        await WarmUpAsync(service, poster, settings.Warmup, cancellationToken).ConfigureAwait(false);
        Say($"fhir: {settings.FhirBundles} bundles over {settings.Concurrency} connections, written back by {settings.ServiceConcurrency} workers");
        return await MeasureAsync(Report.WithFhirServer, $"3. With the FHIR server, {settings.Concurrency} connections", service, fhir,
            () => Traffic.ClosedLoopAsync(poster, measured, settings.Concurrency, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>4. The FHIR server alone: the service's write-back transactions, sent directly, as many at once as the service's workers.</summary>
    public async Task<ScenarioResult> FhirServerAloneAsync(CancellationToken cancellationToken)
    {
        var warmup = bundles.Next(settings.Warmup).Select(BundleGenerator.WriteBackOf).ToList();
        var measured = bundles.Next(settings.FhirBundles).Select(BundleGenerator.WriteBackOf).ToList();
        await using var fhir = await FhirServerProcess.StartAsync(cancellationToken).ConfigureAwait(false);
        using var poster = new Poster(fhir.BaseUrl, settings.ServiceConcurrency, 200);
        Say($"fhir-direct: warming up with {settings.Warmup} transactions");
        var warm = await Traffic.ClosedLoopAsync(poster, warmup, settings.ServiceConcurrency, cancellationToken).ConfigureAwait(false);
        if (settings.Warmup > 0 && warm.Ok == 0)
        {
            throw new LoadFailedException($"The FHIR server refused every warm-up transaction ({warm.Failures}).");
        }

        Say($"fhir-direct: {measured.Count} transactions, {settings.ServiceConcurrency} at once");
        var cpu = CpuMeter.Start(null, fhir.Process);
        var sent = await Traffic.ClosedLoopAsync(poster, measured, settings.ServiceConcurrency, cancellationToken).ConfigureAwait(false);
        return new ScenarioResult(Report.FhirServerAlone, $"4. FHIR server alone, {settings.ServiceConcurrency} at once", "tx/s",
            measured.Count, sent.Failed, sent.Failures, sent.Ok / sent.Seconds, LatencySummary.Of(sent.LatenciesMs), null, 0, 0, sent.Ok, cpu.Stop(), []);
    }

    private async Task<ServiceProcess> StartServiceAsync(Uri? fhirServer, CancellationToken cancellationToken)
    {
        var service = await ServiceProcess.StartAsync(settings.ServiceConcurrency, fhirServer, cancellationToken).ConfigureAwait(false);
        Say($"service up at {service.BaseAddress}, write-back to {(fhirServer is null ? "the null sink" : fhirServer.ToString())}");
        return service;
    }

    /// <summary>
    /// Rounds, each settled and followed by a pause, then a longer pause. The JIT counts calls only once no
    /// new method has been compiled for a while, and promotes hot methods to tier 1 only after they are counted:
    /// one long burst followed by quiet left much of the hot path unpromoted until the measurement (a fifth of the
    /// service's CPU then went to the JIT). Short rounds with pauses in between let counting start and finish.
    /// </summary>
    private async Task WarmUpAsync(ServiceProcess service, Poster poster, int count, CancellationToken cancellationToken)
    {
        Say($"warming up with {count} bundles in {WarmupRounds} rounds");
        var accepted = 0;
        for (var round = 0; round < WarmupRounds; round++)
        {
            var size = (count / WarmupRounds) + (round < count % WarmupRounds ? 1 : 0);
            var sent = await Traffic.ClosedLoopAsync(poster, bundles.Next(size), settings.Concurrency, cancellationToken).ConfigureAwait(false);
            if (size > 0 && sent.Ok == 0)
            {
                throw new LoadFailedException($"The service accepted no warm-up bundle ({sent.Failures}).");
            }

            accepted += sent.Ok;
            await service.Messages.WaitSettledAsync(0, accepted, Stall, cancellationToken).ConfigureAwait(false);
            await Task.Delay(RoundPause, cancellationToken).ConfigureAwait(false);
        }

        await Task.Delay(JitPause, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends, waits until every accepted bundle is settled, then reads the service's own times.</summary>
    private async Task<ScenarioResult> MeasureAsync(
        string key, string name, ServiceProcess service, FhirServerProcess? fhir, Func<Task<SendResult>> send, CancellationToken cancellationToken)
    {
        var after = service.Messages.LastSequence();
        var cpu = CpuMeter.Start(service.Process, fhir?.Process);
        var sent = await send().ConfigureAwait(false);
        Say($"{key}: {sent.Ok} accepted in {Number(sent.Seconds, "0.0")} s; waiting until all are settled");
        await service.Messages.WaitSettledAsync(after, sent.Ok, Stall, cancellationToken).ConfigureAwait(false);
        var usage = cpu.Stop();

        var rows = service.Messages.Read(after);
        var lastSettled = rows.Count == 0 ? 0 : rows.Max(r => r.CompletedAt ?? 0);
        var seconds = (lastSettled - sent.Started.ToUnixTimeMilliseconds()) / 1000.0;
        return new ScenarioResult(
            key,
            name,
            "bundles/s",
            sent.Samples.Count,
            sent.Failed,
            sent.Failures,
            rows.Count == 0 ? 0 : rows.Count / seconds,
            LatencySummary.Of(sent.LatenciesMs),
            LatencySummary.Of(rows.Where(r => r.State == "completed").Select(r => (double)(r.CompletedAt!.Value - r.ReceivedAt))),
            rows.Count(r => r.State == "dead-lettered"),
            rows.Count(r => r.DeliveryCount > 1 || r.Attempts > 1),
            rows.Count(r => r.Wrote),
            usage,
            service.Logs.Problems());
    }

    private void Say(string text) => progress.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    private static string Number(double value, string format = "0.##") => value.ToString(format, CultureInfo.InvariantCulture);
}
