namespace Bench;

/// <summary>
/// One way of taking one big body (<see cref="BodyBytes"/>): how fast, against raw HttpClient
/// writing it to a file in the same run (the faster of its two runs, first and last); the caller's and the workers' memory, sampled every
/// 50 ms; the CPU of each process over the transfer; and whether the SHA-256 of what arrived (the
/// file, or the hash computed where the body was read) is the server's.
/// </summary>
internal sealed record BigBodyResult(
    string Case,
    string Setup,
    long BodyBytes,
    long Errors,
    string? FirstError,
    double Seconds,
    double MegabytesPerSecond,
    double MegabytesPerSecondVsRaw,
    bool Sha256Matches,
    RssPeaks Rss,
    CpuUsage Cpu);
