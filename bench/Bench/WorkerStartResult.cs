namespace Bench;

/// <summary>
/// What a worker costs to start: each run of <see cref="WorkerStartRun"/>, and the medians (of the
/// runs that have the figure); with the floor, a fresh process's raw <see cref="HttpClient"/> (<see cref="RawFirstGet"/>).
/// </summary>
internal sealed record WorkerStartResult(
    string Request,
    IReadOnlyList<WorkerStartRun> Runs,
    double MedianFirstAnswerMilliseconds,
    double MedianAgeAtFirstAnswerMilliseconds,
    double MedianCpuToFirstAnswerMilliseconds,
    double MedianCpuFirstSecondMilliseconds,
    double MedianRawFirstGetCpuMilliseconds);
