namespace Bench;

/// <summary>
/// One executor in the cold regime: built fresh and loaded from construction. Requests and
/// ratio are over the first <see cref="WindowSeconds"/>; <see cref="Load"/> covers the whole run,
/// its buckets being the cold curve; <see cref="Cpu"/> covers the window, construction included.
/// </summary>
internal sealed record ColdResult(
    string Executor,
    string Setup,
    int Concurrency,
    double WindowSeconds,
    long WindowRequests,
    double WindowRequestsPerSecond,
    double WindowRequestsPerSecondVsRaw,
    double WholeRunRequestsPerSecond,
    LoadStats Load,
    CpuUsage Cpu);
