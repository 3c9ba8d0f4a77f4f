namespace Bench;

/// <summary>One executor measured in the warm regime: what it was, and what it did.</summary>
internal sealed record WarmRun(string Executor, string Setup, int? PerWorker, LoadStats Load, RssPeaks Rss, CpuUsage Cpu)
{
    /// <summary>This run as a row of <paramref name="scenario"/>, with its ratios to <paramref name="raw"/> (raw HttpClient on the same load, in the same run).</summary>
    public ThroughputResult Compared(string scenario, string pathAndQuery, LoadStats raw) => new(
        scenario,
        pathAndQuery,
        Executor,
        Setup,
        PerWorker,
        Load,
        Rss,
        Cpu,
        Load.RequestsPerSecond / raw.RequestsPerSecond,
        Load.MegabytesPerSecond / raw.MegabytesPerSecond,
        Load.P50Microseconds - raw.P50Microseconds,
        Load.P99Microseconds - raw.P99Microseconds);

    /// <summary>
    /// Two windows of the same subject in the same state, pooled as one: requests, bytes, errors
    /// and CPU seconds add up over both windows (so rates are totals over total time), p50 and
    /// p99 are the mean of the two windows' (an approximation: the latencies themselves are not
    /// kept), memory peaks are the higher of the two.
    /// </summary>
    public static WarmRun Pooled(WarmRun first, WarmRun second)
    {
        LoadStats a = first.Load, b = second.Load;
        double seconds = a.MeasuredSeconds + b.MeasuredSeconds;
        long requests = a.Requests + b.Requests;
        long bytes = a.BodyBytes + b.BodyBytes;
        var load = a with
        {
            MeasuredSeconds = seconds,
            Requests = requests,
            Errors = a.Errors + b.Errors,
            BodyBytes = bytes,
            RequestsPerSecond = requests / seconds,
            MegabytesPerSecond = bytes / 1e6 / seconds,
            P50Microseconds = (a.P50Microseconds + b.P50Microseconds) / 2,
            P99Microseconds = (a.P99Microseconds + b.P99Microseconds) / 2,
            ErrorCounts = Merge(a.ErrorCounts, b.ErrorCounts, (x, y) => x + y),
            FirstErrorMessages = Merge(a.FirstErrorMessages, b.FirstErrorMessages, (x, _) => x),
        };
        CpuUsage c = first.Cpu, d = second.Cpu;
        double wall = c.WallSeconds + d.WallSeconds;
        var cpu = new CpuUsage(
            wall,
            (c.RequestsPerSecond * c.WallSeconds + d.RequestsPerSecond * d.WallSeconds) / wall,
            c.ClientSeconds + d.ClientSeconds,
            c.WorkerSeconds + d.WorkerSeconds,
            c.ServerSeconds + d.ServerSeconds);
        RssPeaks r = first.Rss, q = second.Rss;
        var rss = new RssPeaks(
            Math.Min(r.ClientIdleBytes, q.ClientIdleBytes),
            Math.Max(r.ClientPeakBytes, q.ClientPeakBytes),
            Merge(r.WorkerPeakBytes, q.WorkerPeakBytes, Math.Max),
            Merge(r.WorkerFirstBytes, q.WorkerFirstBytes, Math.Min));
        return first with { Load = load, Cpu = cpu, Rss = rss };
    }

    private static Dictionary<TKey, TValue> Merge<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> a, IReadOnlyDictionary<TKey, TValue> b, Func<TValue, TValue, TValue> both)
        where TKey : notnull
    {
        var merged = new Dictionary<TKey, TValue>(a);
        foreach ((TKey key, TValue value) in b)
        {
            merged[key] = merged.TryGetValue(key, out TValue? existing) ? both(existing, value) : value;
        }

        return merged;
    }
}
