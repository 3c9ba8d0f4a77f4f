namespace Bench;

/// <summary>Everything one run measured: what the JSON file holds.</summary>
internal sealed record BenchReport(
    DateTime StartedUtc,
    bool Quick,
    double WarmUpSeconds,
    double MeasureSeconds,
    MachineInfo Machine,
    string Server,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    IReadOnlyList<ThroughputResult> Throughput,
    IReadOnlyList<ColdResult> Cold,
    IReadOnlyList<SweepPoint> Sweep,
    IReadOnlyList<PoolStartResult> PoolStart,
    IReadOnlyList<MemoryResult> Memory,
    IReadOnlyList<BigBodyResult> BigBodies,
    RequestsFuturesResult? RequestsFutures,
    double WallSeconds);
