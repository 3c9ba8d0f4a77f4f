namespace Bench;

/// <summary>
/// One 1-worker pool from its construction: to the first answer (wall, in this process), the
/// worker's age then (from /proc, 10 ms steps: exec to first answer as the worker lived it), and
/// the worker's CPU (user, system; from /proc/&lt;pid&gt;/stat, 10 ms ticks) at its first answer
/// and 1 s after its start; and the CPU of a fresh process to the answer of one raw HttpClient GET
/// (<see cref="RawFirstGet"/>), measured right after. NaN: not read (the first answer came after
/// 1 s, or the worker was gone).
/// </summary>
internal sealed record WorkerStartRun(
    int ProcessId,
    double FirstAnswerMilliseconds,
    double AgeAtFirstAnswerMilliseconds,
    double UserToFirstAnswerMilliseconds,
    double SystemToFirstAnswerMilliseconds,
    double UserFirstSecondMilliseconds,
    double SystemFirstSecondMilliseconds,
    double RawFirstGetCpuMilliseconds)
{
    public double CpuToFirstAnswerMilliseconds => UserToFirstAnswerMilliseconds + SystemToFirstAnswerMilliseconds;

    public double CpuFirstSecondMilliseconds => UserFirstSecondMilliseconds + SystemFirstSecondMilliseconds;
}
