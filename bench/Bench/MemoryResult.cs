namespace Bench;

/// <summary>Many large downloads reduced to their SHA-256: where the memory goes, in the client and in the workers.</summary>
internal sealed record MemoryResult(
    string Executor,
    string Setup,
    int Downloads,
    long BodyBytes,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorCounts,
    IReadOnlyDictionary<string, string> FirstErrorMessages,
    double Seconds,
    double MegabytesPerSecond,
    RssPeaks Rss)
{
    /// <summary>How many worker processes served (recycling starts new ones).</summary>
    public int WorkersSeen => Rss.WorkerPeakBytes.Count;
}
