namespace Bench;

/// <summary>Resident memory around one run: the client's idle level before it and peak during it, and each worker's peak (by pid).</summary>
internal sealed record RssPeaks(long ClientIdleBytes, long ClientPeakBytes, IReadOnlyDictionary<int, long> WorkerPeakBytes)
{
    public long ClientGrowthBytes => ClientPeakBytes - ClientIdleBytes;

    /// <summary>The highest peak of any worker; 0 without workers.</summary>
    public long WorkerPeakMaxBytes => WorkerPeakBytes.Count == 0 ? 0 : WorkerPeakBytes.Values.Max();
}
