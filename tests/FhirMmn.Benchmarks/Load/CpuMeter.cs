using System.Diagnostics;
using System.Globalization;

namespace FhirMmn.Benchmarks.Load;

/// <summary>CPU over a scenario's measured window, in cores (CPU seconds per wall second): who used the machine.</summary>
internal sealed record CpuUsage(double WallSeconds, double Service, double Tool, double FhirServer, double Machine)
{
    /// <summary>Everything else on the machine (other processes), in cores.</summary>
    public double Other => Math.Max(0, Machine - Service - Tool - FhirServer);
}

/// <summary>Process CPU from /proc (Process.TotalProcessorTime) and machine CPU from /proc/stat, before and after.</summary>
internal sealed class CpuMeter
{
    private readonly Process? service;
    private readonly Process? fhirServer;
    private readonly long started = Stopwatch.GetTimestamp();
    private readonly (TimeSpan Service, TimeSpan Tool, TimeSpan FhirServer) before;
    private readonly (long Busy, long Total) machineBefore;

    private CpuMeter(Process? service, Process? fhirServer)
    {
        this.service = service;
        this.fhirServer = fhirServer;
        before = Read();
        machineBefore = Machine();
    }

    public static CpuMeter Start(Process? service, Process? fhirServer) => new(service, fhirServer);

    public CpuUsage Stop()
    {
        var after = Read();
        var machineAfter = Machine();
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var total = machineAfter.Total - machineBefore.Total;
        return new CpuUsage(
            wall,
            (after.Service - before.Service).TotalSeconds / wall,
            (after.Tool - before.Tool).TotalSeconds / wall,
            (after.FhirServer - before.FhirServer).TotalSeconds / wall,
            total == 0 ? 0 : (double)(machineAfter.Busy - machineBefore.Busy) / total * Environment.ProcessorCount);
    }

    private (TimeSpan Service, TimeSpan Tool, TimeSpan FhirServer) Read()
    {
        using var self = Process.GetCurrentProcess();
        return (Of(service), self.TotalProcessorTime, Of(fhirServer));
    }

    private static TimeSpan Of(Process? process)
    {
        if (process is null || process.HasExited)
        {
            return TimeSpan.Zero;
        }

        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>The first line of /proc/stat: user nice system idle iowait irq softirq steal (clock ticks since boot).</summary>
    private static (long Busy, long Total) Machine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var ticks = File.ReadLines("/proc/stat").First()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Take(8)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture))
            .ToArray();
        var idle = ticks[3] + ticks[4];
        return (ticks.Sum() - idle, ticks.Sum());
    }
}
