using System.Globalization;
using System.Runtime.InteropServices;

namespace Bench;

/// <summary>CPU time a process has used so far (user + system), from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
internal static class ProcessCpu
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    /// <summary>Clock ticks per second of the utime and stime fields (USER_HZ, 100 on Linux).</summary>
    private static readonly double s_ticksPerSecond = TicksPerSecond();

    /// <summary>User + system CPU seconds of <paramref name="pid"/> ("self" for this process); null once it is gone.</summary>
    public static double? Seconds(string pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Field 2, the command name, is in parentheses and may hold spaces: count fields after its ')'.
        // After it come field 3 (state) … field 14 (utime) and 15 (stime).
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return ticks / s_ticksPerSecond;
    }

    /// <inheritdoc cref="Seconds(string)"/>
    public static double? Seconds(int pid) => Seconds(pid.ToString(CultureInfo.InvariantCulture));

    private static double TicksPerSecond()
    {
        try
        {
            long ticks = SysConf(ScClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);
}
