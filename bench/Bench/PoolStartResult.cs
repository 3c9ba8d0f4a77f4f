namespace Bench;

/// <summary>
/// Start-up of a pool of <see cref="Workers"/> workers on <see cref="Transport"/>, from <c>new ProcessPoolExecutor(n)</c>:
/// to the first successful response of GET /get, to all n workers ready (as the pool reports),
/// and to responses having come from all n workers; per run and median.
/// </summary>
internal sealed record PoolStartResult(
    int Workers,
    string Transport,
    IReadOnlyList<double> FirstResponseMilliseconds,
    IReadOnlyList<double> AllReadyMilliseconds,
    IReadOnlyList<double> AllAnsweringMilliseconds,
    double MedianFirstResponseMilliseconds,
    double MedianAllReadyMilliseconds,
    double MedianAllAnsweringMilliseconds);
