namespace Bench;

/// <summary>
/// Start-up of a pool of <see cref="Workers"/> workers, from <c>new ProcessPoolExecutor(n)</c>:
/// to the first successful response of GET /get, and to all n workers serving; per run and median.
/// </summary>
internal sealed record PoolStartResult(
    int Workers,
    IReadOnlyList<double> FirstResponseMilliseconds,
    IReadOnlyList<double> AllReadyMilliseconds,
    double MedianFirstResponseMilliseconds,
    double MedianAllReadyMilliseconds);
