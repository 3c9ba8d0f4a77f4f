using System.Diagnostics;

namespace Bench;

/// <summary>
/// Two CPU readings, at two instants of a run, taken on a thread of its own (the thread pool is
/// busy with the load and would be late).
/// </summary>
internal static class CpuWindow
{
    /// <summary>Reads CPU at Stopwatch timestamps <paramref name="from"/> and <paramref name="to"/> (or at once, if past).</summary>
    public static Task<(CpuSnapshot Before, CpuSnapshot After)> ReadAsync(long from, long to, int? serverPid, Func<IReadOnlyList<int>>? workerIds)
    {
        var done = new TaskCompletionSource<(CpuSnapshot, CpuSnapshot)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                SleepUntil(from);
                CpuSnapshot before = CpuSnapshot.Take(serverPid, workerIds);
                SleepUntil(to);
                done.TrySetResult((before, CpuSnapshot.Take(serverPid, workerIds, before)));
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        })
        { IsBackground = true, Name = "CPU window" };
        thread.Start();
        return done.Task;
    }

    private static void SleepUntil(long timestamp)
    {
        TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left);
        }
    }
}
