namespace Bench;

/// <summary>Everything one run measured: what the JSON file holds.</summary>
internal sealed record BenchReport(
    DateTime StartedUtc,
    bool Quick,
    double WarmUpSeconds,
    double MeasureSeconds,
    MachineInfo Machine,
    IReadOnlyList<ThroughputResult> Throughput,
    IReadOnlyList<PoolStartResult> PoolStart,
    IReadOnlyList<MemoryResult> Memory,
    double WallSeconds);
