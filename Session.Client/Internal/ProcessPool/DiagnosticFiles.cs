using System.Globalization;

namespace ProcessFutures.Internal;

/// <summary>
/// What a .NET runtime leaves in the temporary directory when its process is killed: the
/// debugger's pipes (<c>clr-debug-pipe-PID-KEY-in</c>/<c>-out</c>) and the diagnostics socket
/// (<c>dotnet-diagnostic-PID-KEY-socket</c>), where KEY is the process's start time. Workers make
/// none unless the user asks for them (<see cref="ProcessPoolOptions.EnableWorkerDiagnostics"/>);
/// when they do, the pool removes a dead worker's, and only its own: the start time tells them
/// from those of a later process that reused the pid.
/// </summary>
internal static class DiagnosticFiles
{
    /// <summary>The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), as the runtime names its files; null if unknown.</summary>
    public static string? StartTimeOf(int processId)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{processId}/stat");

            // The command (field 2) is in parentheses and may hold spaces: count from after it.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? fields[19] : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the files the runtime of process <paramref name="processId"/>, started at <paramref name="startTime"/>, left behind; never throws.</summary>
    public static void RemoveLeftBy(int processId, string? startTime)
    {
        if (startTime is null)
        {
            return;
        }

        string directory = Path.GetTempPath();
        string key = $"{processId.ToString(CultureInfo.InvariantCulture)}-{startTime}-";
        foreach (string name in (string[])[$"clr-debug-pipe-{key}in", $"clr-debug-pipe-{key}out", $"dotnet-diagnostic-{key}socket"])
        {
            try
            {
                File.Delete(Path.Combine(directory, name));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
