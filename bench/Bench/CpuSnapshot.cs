using System.Diagnostics;

namespace Bench;

/// <summary>
/// CPU seconds used so far by the client (this process), the server (when it is a process of its
/// own) and each worker, at one instant; and by this process's children that have ended.
/// </summary>
internal sealed record CpuSnapshot(long Timestamp, double Client, double? Server, IReadOnlyDictionary<int, double> Workers, double ReapedChildren)
{
    /// <summary>
    /// Reads them now. Workers are those <paramref name="workerIds"/> returns plus those of
    /// <paramref name="previous"/>, so that a window's two readings cover the same processes.
    /// </summary>
    public static CpuSnapshot Take(int? serverPid, Func<IReadOnlyList<int>>? workerIds, CpuSnapshot? previous = null)
    {
        var workers = new Dictionary<int, double>();
        IEnumerable<int> pids = (workerIds?.Invoke() ?? []).Concat(previous?.Workers.Keys ?? []);
        foreach (int pid in pids.Distinct())
        {
            if (ProcessCpu.Seconds(pid) is { } seconds)
            {
                workers[pid] = seconds;
            }
        }

        double? server = serverPid is { } id ? ProcessCpu.Seconds(id) : null;
        return new CpuSnapshot(Stopwatch.GetTimestamp(), ProcessCpu.Seconds("self") ?? 0, server, workers, ProcessCpu.ReapedChildrenSeconds());
    }

    /// <summary>
    /// What was used between <paramref name="before"/> and this reading, at
    /// <paramref name="requestsPerSecond"/>. A worker that started in between counts from its
    /// start. One that exited in between is lost, unless <paramref name="countExitedWorkers"/>:
    /// then the CPU of the children reaped in between is added and what the exited ones had used
    /// by <paramref name="before"/> taken off, which is right only when every child that ends in
    /// the window is a worker that <paramref name="before"/> read (or one that started after it),
    /// all of them being children of this process (a pool that recycles: read its workers with
    /// <see cref="ChildProcesses"/>, draining ones included, with no other pool alive).
    /// </summary>
    public CpuUsage Since(CpuSnapshot before, double requestsPerSecond, bool countExitedWorkers = false)
    {
        double workers = Workers.Sum(w => w.Value - before.Workers.GetValueOrDefault(w.Key));
        if (countExitedWorkers)
        {
            double exitedBefore = before.Workers.Where(w => !Workers.ContainsKey(w.Key)).Sum(w => w.Value);
            workers += ReapedChildren - before.ReapedChildren - exitedBefore;
        }

        double? server = Server is { } after && before.Server is { } earlier ? after - earlier : null;
        double wall = (Timestamp - before.Timestamp) / (double)Stopwatch.Frequency;
        return new CpuUsage(wall, requestsPerSecond, Client - before.Client, Workers.Count == 0 && !countExitedWorkers ? null : workers, server);
    }
}
