namespace Bench;

/// <summary>
/// One pool (recycling or not) under the load of a recycling scenario, over its measured windows
/// (<see cref="Windows"/> fresh pools, each warmed up and measured alike, pooled). Requests,
/// latencies and rates are of the requests that completed inside the windows, timed around each
/// send. "During a recycle": a request whose send-to-completion overlapped an interval in which
/// the pool was not at rest (see <c>Scenarios.Recycle.cs</c>). NaN: no such request.
/// </summary>
internal sealed record RecyclePoolRun(
    string Setup,
    int MaxTasksPerWorker,
    int Windows,
    double MeasuredSeconds,
    long Requests,
    long Errors,
    double RequestsPerSecond,
    double MegabytesPerSecond,
    double P50Microseconds,
    double P99Microseconds,
    double MaxMicroseconds,
    long RequestsDuringRecycles,
    double P50DuringRecyclesMicroseconds,
    double P99DuringRecyclesMicroseconds,
    double P99OutsideRecyclesMicroseconds,
    double ShareOfTimeInRecycles,
    int RecyclesBegun,
    int RecycleExits,
    int WorkersSeen,
    CpuUsage Cpu,
    RssPeaks Rss,
    double BucketSeconds,
    IReadOnlyList<double> RequestsPerSecondOverTime,
    IReadOnlyList<double> RecycleBeganSeconds,
    IReadOnlyDictionary<string, long> ErrorCounts,
    IReadOnlyDictionary<string, string> FirstErrorMessages);
