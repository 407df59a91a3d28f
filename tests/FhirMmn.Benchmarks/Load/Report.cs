using System.Globalization;

namespace FhirMmn.Benchmarks.Load;

/// <summary>Exact percentiles (nearest rank) over all samples, in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double P50, double P95, double P99, double Max)
{
    public static LatencySummary? Of(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? null : new(sorted.Length, At(sorted, 50), At(sorted, 95), At(sorted, 99), sorted[^1]);
    }

    /// <summary>The smallest sample with at least <paramref name="percent"/> % of the samples at or below it.</summary>
    private static double At(double[] sorted, double percent) =>
        sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Length) - 1)];
}

/// <summary>
/// One scenario's numbers. <see cref="Rate"/> is bundles/s (first POST to last completed_at) or, for the FHIR
/// server alone, transactions/s (first request to last answer). <see cref="Intake"/>: HTTP latency (202, or
/// the transaction's 200); <see cref="Written"/>: completed_at - received_at of the completed messages.
/// </summary>
internal sealed record ScenarioResult(
    string Key,
    string Name,
    string Unit,
    int Sent,
    int Failed,
    string Failures,
    double Rate,
    LatencySummary? Intake,
    LatencySummary? Written,
    int DeadLettered,
    int Retried,
    int Wrote,
    CpuUsage Cpu,
    IReadOnlyList<string> ServiceProblems);

/// <summary>The table of results, the targets with PASS/FAIL, and the notes; plain text or Markdown.</summary>
internal static class Report
{
    public const string Ceiling = "ceiling";

    /// <summary>The ceiling with the service on RabbitMQ (--transport rabbitmq), beside the embedded one.</summary>
    public const string RabbitMqCeiling = "ceiling-rabbitmq";
    public const string FixedRate = "rate";
    public const string WithFhirServer = "fhir";
    public const string FhirServerAlone = "fhir-direct";

    private const double CeilingTarget = 1000;
    private const double P99Target = 100;
    private const double RatioTarget = 5;

    public static void Write(TextWriter output, IReadOnlyList<ScenarioResult> results, string header, bool markdown)
    {
        output.WriteLine(header);
        output.WriteLine();
        output.Write(Table(markdown,
            ["Scenario", "Sent", "Rate", "Intake p50", "Intake p99", "Written p50", "p95", "p99", "max", "Failed", "Dead", "Retried", "CPU svc/tool/fhir/other (cores)"],
            results.Select(r => new[]
            {
                r.Name,
                Number(r.Sent),
                $"{Number(r.Rate, r.Rate < 100 ? "0.0" : "0")} {r.Unit}",
                Ms(r.Intake?.P50),
                Ms(r.Intake?.P99),
                Ms(r.Written?.P50),
                Ms(r.Written?.P95),
                Ms(r.Written?.P99),
                Ms(r.Written?.Max),
                Number(r.Failed),
                Number(r.DeadLettered),
                Number(r.Retried),
                $"{Number(r.Cpu.Service, "0.00")}/{Number(r.Cpu.Tool, "0.00")}/{Number(r.Cpu.FhirServer, "0.00")}/{Number(r.Cpu.Other, "0.00")}",
            })));
        output.WriteLine();
        output.WriteLine(
            "Rate: bundles/s from the first POST to the last completed_at (4: transactions/s). Intake: HTTP answer time (202; 4: the " +
            "transaction's 200), counted from when due at the fixed rate. Written: completed_at - received_at, by the service's clock. " +
            "Retried: delivered or attempted more than once. CPU: cores used over the measured window by the service, this tool, " +
            "the FHIR server and everything else on the machine.");
        output.WriteLine();

        var targets = Targets(results).ToList();
        if (targets.Count > 0)
        {
            output.Write(Table(markdown, ["Target", "Measured", "Result"], targets));
            output.WriteLine();
        }

        foreach (var note in Notes(results))
        {
            output.WriteLine(markdown ? "- " + MarkdownText(note) : note);
        }
    }

    private static IEnumerable<string[]> Targets(IReadOnlyList<ScenarioResult> results)
    {
        var ceiling = results.FirstOrDefault(r => r.Key == Ceiling);
        var rate = results.FirstOrDefault(r => r.Key == FixedRate);
        var withServer = results.FirstOrDefault(r => r.Key == WithFhirServer);
        var alone = results.FirstOrDefault(r => r.Key == FhirServerAlone);
        if (ceiling is not null)
        {
            yield return ["Ceiling (null sink) >= 1000 bundles/s", $"{Number(ceiling.Rate)} bundles/s", Verdict(ceiling.Rate >= CeilingTarget, ceiling.Rate / CeilingTarget, "of target")];
        }

        if (rate?.Written is { } written)
        {
            yield return ["p99 intake-to-written < 100 ms at the fixed rate", $"{Number(written.P99)} ms", Verdict(written.P99 < P99Target, written.P99 / P99Target, "of the limit")];
        }

        if (ceiling is not null && alone is not null && alone.Rate > 0)
        {
            var ratio = ceiling.Rate / alone.Rate;
            yield return ["Ceiling / FHIR server alone >= 5x", $"{Number(ratio, "0.0")}x", Verdict(ratio >= RatioTarget, ratio / RatioTarget, "of target")];
        }

        var rabbit = results.FirstOrDefault(r => r.Key == RabbitMqCeiling);
        if (rabbit is not null && alone is not null && alone.Rate > 0)
        {
            var ratio = rabbit.Rate / alone.Rate;
            yield return ["RabbitMQ ceiling / FHIR server alone >= 5x", $"{Number(ratio, "0.0")}x", Verdict(ratio >= RatioTarget, ratio / RatioTarget, "of target")];
        }

        if (withServer is not null && alone is not null && alone.Rate > 0)
        {
            yield return ["(info) Service with FHIR server / FHIR server alone", $"{Number(withServer.Rate / alone.Rate, "0.00")}x", "-"];
        }
    }

    private static string Verdict(bool pass, double fraction, string of) =>
        pass ? "PASS" : $"FAIL ({Number(fraction * 100)} % {of})";

    private static IEnumerable<string> Notes(IReadOnlyList<ScenarioResult> results)
    {
        foreach (var r in results)
        {
            if (r.Failed > 0)
            {
                yield return $"{r.Name}: {r.Failed} request(s) failed: {r.Failures}.";
            }

            if (r.Cpu.Service > 0 && r.Rate > 0 && r.Unit == "bundles/s")
            {
                yield return $"{r.Name}: service CPU {Number(r.Cpu.Service * 1000 / r.Rate, "0.00")} ms per bundle; machine busy {Number(r.Cpu.Machine, "0.00")} of {Environment.ProcessorCount} cores over {Number(r.Cpu.WallSeconds, "0.0")} s.";
            }

            if (r.Key == WithFhirServer)
            {
                yield return $"{r.Name}: {r.Wrote} of {r.Sent} bundles wrote resources to the FHIR server.";
            }

            foreach (var problem in r.ServiceProblems.Take(5))
            {
                yield return $"{r.Name}: service log: {problem}";
            }
        }
    }

    private static string Table(bool markdown, string[] headings, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headings).ToList();
        var widths = headings.Select((_, c) => all.Max(row => row[c].Length)).ToArray();
        var lines = all.Select(row => markdown
            ? "| " + string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))) + " |"
            : string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd()).ToList();
        lines.Insert(1, markdown
            ? "|" + string.Join("|", widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|"
            : string.Join("  ", widths.Select(w => new string('-', w))));
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    /// <summary>"1. Ceiling" after "- " would open an ordered list inside the bullet: escape the dot.</summary>
    private static string MarkdownText(string note) =>
        note is [>= '0' and <= '9', '.', ..] ? note[..1] + "\\" + note[1..] : note;

    private static string Ms(double? ms) => ms is { } value ? $"{Number(value, value < 10 ? "0.0" : "0")} ms" : "-";

    private static string Number(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);
}
