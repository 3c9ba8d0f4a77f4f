namespace Bench;

/// <summary>One executor in one warm throughput scenario, with its CPU use and its ratios to raw HttpClient in the same run.</summary>
internal sealed record ThroughputResult(
    string Scenario,
    string PathAndQuery,
    string Executor,
    string Setup,
    int? ConcurrencyPerWorker,
    LoadStats Load,
    RssPeaks Rss,
    CpuUsage Cpu,
    double RequestsPerSecondVsRaw,
    double MegabytesPerSecondVsRaw,
    double AddedP50Microseconds,
    double AddedP99Microseconds);
