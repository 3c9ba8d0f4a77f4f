using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Bench;

/// <summary>The machine and runtime the figures come from.</summary>
internal sealed record MachineInfo(
    int ProcessorCount,
    string OSDescription,
    string FrameworkDescription,
    string CpuModel,
    long TotalMemoryBytes,
    bool ServerGC,
    bool ConcurrentGC)
{
    public static MachineInfo Collect() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ProcValue("/proc/cpuinfo", "model name") ?? "unknown",
        ParseKilobytes(ProcValue("/proc/meminfo", "MemTotal")),
        GCSettings.IsServerGC,
        GCSettings.LatencyMode != GCLatencyMode.Batch);

    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg, as "0.52, 0.58, 0.59"; "unknown" when unreadable.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The value after ':' on the first line of <paramref name="path"/> whose key is <paramref name="key"/>.</summary>
    private static string? ProcValue(string path, string key)
    {
        try
        {
            return File.ReadLines(path)
                .Select(line => line.Split(':', 2))
                .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
                .Select(parts => parts[1].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>"24684196 kB" as bytes; 0 when absent.</summary>
    private static long ParseKilobytes(string? value) =>
        value is not null && long.TryParse(value.Split(' ')[0], CultureInfo.InvariantCulture, out long kilobytes) ? kilobytes * 1024 : 0;
}
