using System.Diagnostics;

namespace Bench;

/// <summary>
/// Every successful request of a load, from send to completion (Stopwatch timestamps), and the
/// worker that answered it: for the figures a <see cref="LoadStats"/> does not keep, latencies of
/// the requests in flight at given moments, completions over time, and when each worker first
/// answered. Safe from several loops at once; grows by 24 bytes a request.
/// </summary>
internal sealed class RequestLog
{
    private readonly Lock _lock = new();
    private readonly List<(long Begin, long End, int ProcessId)> _requests = new(1 << 16);

    /// <summary>A send for the load runner: <paramref name="sendAsync"/>, logging each request that succeeds.</summary>
    public Func<Task<int>> Wrap(Func<Task<(int Length, int ProcessId)>> sendAsync) => async () =>
    {
        long begin = Stopwatch.GetTimestamp();
        (int length, int processId) = await sendAsync();
        long end = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _requests.Add((begin, end, processId));
        }

        return length;
    };

    /// <summary>The requests that completed in [<paramref name="from"/>, <paramref name="to"/>) (the rule of a measured window), in completion order.</summary>
    public (long Begin, long End, int ProcessId)[] CompletedIn(long from, long to)
    {
        lock (_lock)
        {
            return [.. _requests.Where(r => r.End >= from && r.End < to).OrderBy(r => r.End)];
        }
    }

    /// <summary>Each worker's first logged answer (its completion timestamp), by pid.</summary>
    public Dictionary<int, long> FirstAnswers()
    {
        lock (_lock)
        {
            return _requests.GroupBy(r => r.ProcessId).ToDictionary(g => g.Key, g => g.Min(r => r.End));
        }
    }
}
