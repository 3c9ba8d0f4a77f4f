using System.Globalization;
using System.Runtime.InteropServices;

namespace Bench;

/// <summary>
/// What <c>/proc/&lt;pid&gt;/stat</c> says of a process: the CPU time it has used so far (user and
/// system), that of its children it has reaped, its parent, and how long it has been running.
/// </summary>
internal static class ProcessCpu
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux

    /// <summary>Clock ticks per second of the utime, stime, cutime, cstime and starttime fields (USER_HZ, 100 on Linux).</summary>
    private static readonly double s_ticksPerSecond = TicksPerSecond();

    /// <summary>User + system CPU seconds of <paramref name="pid"/> ("self" for this process); null once it is gone.</summary>
    public static double? Seconds(string pid) => Times(pid)?.TotalSeconds;

    /// <inheritdoc cref="Seconds(string)"/>
    public static double? Seconds(int pid) => Seconds(pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>User and system CPU seconds of <paramref name="pid"/> ("self" for this process), apart; null once it is gone.</summary>
    public static CpuTimes? Times(string pid) =>
        Fields(pid) is { } fields ? new CpuTimes(Field(fields, 14) / s_ticksPerSecond, Field(fields, 15) / s_ticksPerSecond) : null;

    /// <inheritdoc cref="Times(string)"/>
    public static CpuTimes? Times(int pid) => Times(pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// User + system CPU seconds of this process's children that have ended and been waited for
    /// (cutime + cstime): where a worker's CPU goes when it exits, the pool having reaped it.
    /// </summary>
    public static double ReapedChildrenSeconds() =>
        Fields("self") is { } fields ? (Field(fields, 16) + Field(fields, 17)) / s_ticksPerSecond : 0;

    /// <summary>The parent pid of <paramref name="pid"/>; null once it is gone.</summary>
    public static int? ParentId(string pid) => Fields(pid) is { } fields ? (int)Field(fields, 4) : null;

    /// <summary>
    /// Seconds since <paramref name="pid"/> started (its starttime against /proc/uptime, both
    /// since boot, in 10 ms steps); null once it is gone.
    /// </summary>
    public static double? AgeSeconds(int pid)
    {
        string[]? fields = Fields(pid.ToString(CultureInfo.InvariantCulture));
        string uptime;
        try
        {
            uptime = File.ReadAllText("/proc/uptime");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return fields is null ? null : double.Parse(uptime.Split(' ')[0], CultureInfo.InvariantCulture) - (Field(fields, 22) / s_ticksPerSecond);
    }

    /// <summary>
    /// The fields of /proc/<paramref name="pid"/>/stat from field 3 (state) on; null once the
    /// process is gone. Field 2, the command name, is in parentheses and may hold spaces: the
    /// fields are counted after its ')'.
    /// </summary>
    private static string[]? Fields(string pid)
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

        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>Field <paramref name="number"/> of proc(5)'s numbering (1 = pid) from <see cref="Fields"/>.</summary>
    private static long Field(string[] fields, int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);

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
