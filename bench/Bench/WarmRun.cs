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
}
