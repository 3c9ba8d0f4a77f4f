namespace Bench;

/// <summary>
/// Resident memory around one run: the client's idle level before it and peak during it; each
/// worker's first sample and peak (by pid); and, when kept, every sample.
/// </summary>
internal sealed record RssPeaks(
    long ClientIdleBytes,
    long ClientPeakBytes,
    IReadOnlyDictionary<int, long> WorkerPeakBytes,
    IReadOnlyDictionary<int, long> WorkerFirstBytes,
    IReadOnlyList<RssSample>? Series = null)
{
    public long ClientGrowthBytes => ClientPeakBytes - ClientIdleBytes;

    /// <summary>The highest peak of any worker; 0 without workers.</summary>
    public long WorkerPeakMaxBytes => WorkerPeakBytes.Count == 0 ? 0 : WorkerPeakBytes.Values.Max();

    /// <summary>The largest growth of any worker from its first sample to its peak; 0 without workers.</summary>
    public long WorkerGrowthMaxBytes => WorkerPeakBytes.Count == 0 ? 0 : WorkerPeakBytes.Max(w => w.Value - WorkerFirstBytes.GetValueOrDefault(w.Key, w.Value));
}
