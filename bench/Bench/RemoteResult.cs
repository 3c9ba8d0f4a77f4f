namespace Bench;

/// <summary>
/// The remote scenario: the workers (address, port and pid), how their runtime was set up, the
/// cores of this machine (which the client, the workers and the server share), the warm runs with
/// their ratios to raw HttpClient on the same load, and the check that a callback of the bench
/// ran in the remote workers (the pids its answers came from, and any failure).
/// </summary>
internal sealed record RemoteResult(
    IReadOnlyList<string> Workers,
    string WorkerRuntime,
    int ProcessorCount,
    IReadOnlyList<ThroughputResult> Throughput,
    IReadOnlyList<int> CallbackProcessIds,
    int CallbackRequests,
    long CallbackErrors,
    IReadOnlyDictionary<string, string> CallbackFirstErrors)
{
    /// <summary>Failed requests, warm-ups and the callback check included.</summary>
    public long FailedRequests => Throughput.Sum(t => t.Load.Errors) + CallbackErrors;
}
