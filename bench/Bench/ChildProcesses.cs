using System.Globalization;

namespace Bench;

/// <summary>The live child processes of this one, found by their parent pid in /proc.</summary>
internal static class ChildProcesses
{
    /// <summary>
    /// The pids whose parent is this process, except <paramref name="except"/> (the server, when
    /// it is a process of its own). Reads every /proc/&lt;pid&gt;/stat: for a reading now and then,
    /// not for sampling every few milliseconds.
    /// </summary>
    public static IReadOnlyList<int> OfThisProcess(int? except)
    {
        int self = Environment.ProcessId;
        var children = new List<int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            string name = Path.GetFileName(directory);
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid != except && ProcessCpu.ParentId(name) == self)
            {
                children.Add(pid);
            }
        }

        return children;
    }
}
