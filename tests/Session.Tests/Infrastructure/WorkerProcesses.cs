using System.Globalization;

namespace Session.Tests.Infrastructure;

/// <summary>What /proc says about worker processes: whether they live, who their parent is, what they listen on.</summary>
internal static class WorkerProcesses
{
    /// <summary>Live processes whose parent is <paramref name="parentPid"/> and whose command line runs ProcessFutures.dll.</summary>
    public static List<int> ChildrenOf(int parentPid)
    {
        var children = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && ParentOf(pid) == parentPid && IsWorker(pid))
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>Live (not zombie) processes anywhere whose command line mentions <paramref name="marker"/>.</summary>
    public static List<int> WithMarker(string marker)
    {
        var found = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && IsAlive(pid) && IsWorker(pid) && Environ(pid).Contains(marker, StringComparison.Ordinal))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    public static bool IsAlive(int pid)
    {
        string? stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return false;
        }

        // The state follows the parenthesized command name; Z is a zombie (dead, not yet reaped).
        int end = stat.LastIndexOf(')');
        return end > 0 && end + 2 < stat.Length && stat[end + 2] != 'Z';
    }

    /// <summary>TCP sockets in LISTEN state that <paramref name="pid"/> holds open.</summary>
    public static int ListeningTcpSockets(int pid)
    {
        var inodes = new HashSet<string>();
        foreach (string fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target[8..^1]);
            }
        }

        int listening = 0;
        foreach (string table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (string line in (Read(table) ?? string.Empty).Split('\n').Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

                // Fields: sl local remote st ... inode (the 10th); st 0A is LISTEN.
                if (fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
                {
                    listening++;
                }
            }
        }

        return listening;
    }

    /// <summary>The bytes <paramref name="pid"/> has written so far, to files, pipes and sockets (wchar in /proc/PID/io).</summary>
    public static long BytesWritten(int pid)
    {
        foreach (string line in (Read($"/proc/{pid}/io") ?? throw new InvalidOperationException($"No /proc/{pid}/io.")).Split('\n'))
        {
            if (line.StartsWith("wchar: ", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"No wchar in /proc/{pid}/io.");
    }

    private static int? ParentOf(int pid)
    {
        string? stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }

        int end = stat.LastIndexOf(')');
        string[] fields = stat[(end + 2)..].Split(' ');
        return fields.Length > 1 && fields[0] != "Z" && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent) ? parent : null;
    }

    private static bool IsWorker(int pid) => (Read($"/proc/{pid}/cmdline") ?? string.Empty).Contains("ProcessFutures.dll", StringComparison.Ordinal);

    private static string Environ(int pid) => Read($"/proc/{pid}/environ") ?? string.Empty;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The debugger pipes and diagnostics socket a runtime of process <paramref name="pid"/> made in
    /// the temporary directory since <paramref name="since"/> (pids are reused: an earlier process of
    /// the same pid may have left its own).
    /// </summary>
    public static string[] RuntimeFilesSince(int pid, DateTime since) =>
        [.. Directory.GetFiles(Path.GetTempPath(), $"clr-debug-pipe-{pid}-*").Where(path => File.GetLastWriteTimeUtc(path) >= since).Concat(DiagnosticSocketsSince(pid, since))];

    /// <summary>The diagnostics socket of a runtime of process <paramref name="pid"/> made since <paramref name="since"/>.</summary>
    public static string[] DiagnosticSocketsSince(int pid, DateTime since) =>
        [.. Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*").Where(path => File.GetLastWriteTimeUtc(path) >= since)];
}
