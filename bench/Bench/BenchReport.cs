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
    double WallSeconds)
{
    /// <summary>The issues' targets against this run's figures.</summary>
    public IReadOnlyList<TargetCheck> Targets { get; init; } = [];

    /// <summary>Remote workers on this machine against raw HttpClient and a local pool; null when not run.</summary>
    public RemoteResult? Remote { get; init; }

    /// <summary>Each executor without and with an ActivityListener; empty when not run.</summary>
    public IReadOnlyList<TracingResult> Tracing { get; init; } = [];

    /// <summary>What a 1-worker pool's worker costs from exec to its first answer and over its first second; null when not run.</summary>
    public WorkerStartResult? WorkerStart { get; init; }

    /// <summary>Each recycling load, recycling and not; empty when not run.</summary>
    public IReadOnlyList<RecycleResult> Recycle { get; init; } = [];

    /// <summary>Failed requests over every scenario (warm-ups included); the run exits with 1 when there is any.</summary>
    public long FailedRequests =>
        Throughput.Sum(t => t.Load.Errors) + Cold.Sum(c => c.Load.Errors) + Sweep.Sum(s => s.Load.Errors)
        + Memory.Sum(m => m.Errors) + BigBodies.Sum(b => b.Errors) + (RequestsFutures?.Errors ?? 0)
        + (Remote?.FailedRequests ?? 0) + Tracing.Sum(t => t.WithoutListener.Load.Errors + t.WithListener.Load.Errors)
        + Recycle.Sum(r => r.Recycling.Errors + r.NotRecycling.Errors);
}
