using System.Globalization;

namespace Session.Tests.Infrastructure;

/// <summary>
/// A process's resident memory and its peak (VmHWM), from /proc. <see cref="Reset"/> sets the
/// peak back to the current size (writing 5 to /proc/PID/clear_refs, Linux 4.0+), so a test can
/// measure how much one operation grew a long-lived process: the test runner, or a worker.
/// </summary>
public static class PeakMemory
{
    /// <summary>Resets the peak of <paramref name="pid"/> and returns its resident size now.</summary>
    public static long Reset(int pid)
    {
        File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        return Field(pid, "VmRSS:");
    }

    /// <summary>The peak resident size of <paramref name="pid"/> since start or the last <see cref="Reset"/>.</summary>
    public static long Peak(int pid) => Field(pid, "VmHWM:");

    public static long Resident(int pid) => Field(pid, "VmRSS:");

    private static long Field(int pid, string name)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {name}");
    }
}
