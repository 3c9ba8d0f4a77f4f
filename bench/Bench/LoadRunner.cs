using System.Diagnostics;

namespace Bench;

/// <summary>
/// Closed-loop load: <c>concurrency</c> loops each send requests back to back, through a warm-up
/// and then a measurement window; a request counts when it completes inside the window.
/// </summary>
internal static class LoadRunner
{
    /// <summary>
    /// Runs the load; <paramref name="sendAsync"/> sends one request and returns its body length
    /// (it throws on failure). The run starts at <paramref name="start"/> (a Stopwatch timestamp;
    /// default: now). With <paramref name="bucket"/>, completions are also counted in buckets of
    /// that width from the start, over the whole run.
    /// </summary>
    public static async Task<LoadStats> RunAsync(int concurrency, TimeSpan warmUp, TimeSpan measure, TimeSpan requestTimeout, Func<Task<int>> sendAsync, long? start = null, TimeSpan? bucket = null)
    {
        long begin = start ?? Stopwatch.GetTimestamp();
        long measureStart = begin + ToTicks(warmUp);
        long measureEnd = measureStart + ToTicks(measure);
        long bucketTicks = bucket is { } width ? ToTicks(width) : 0;
        int bucketCount = bucketTicks > 0 ? (int)Math.Ceiling((measureEnd - begin) / (double)bucketTicks) : 0;
        var errors = new ErrorTally();
        var loops = new Task<LoopRecord>[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            loops[i] = Task.Run(() => LoopAsync(new LoopRecord(begin, measureStart, measureEnd, bucketTicks, bucketCount), requestTimeout, sendAsync, errors));
        }

        // Each request is bounded by requestTimeout; the last ones start just before the window ends.
        LoopRecord[] records = await Task.WhenAll(loops).WaitAsync(warmUp + measure + requestTimeout + TimeSpan.FromSeconds(10));
        long[] latencies = [.. records.SelectMany(r => r.Latencies)];
        Array.Sort(latencies);
        long bytes = records.Sum(r => r.Bytes);
        double seconds = measure.TotalSeconds;
        long[] buckets = new long[bucketCount];
        foreach (LoopRecord record in records)
        {
            for (int b = 0; b < bucketCount; b++)
            {
                buckets[b] += record.Buckets[b];
            }
        }

        long firstCompletion = records.Select(r => r.FirstCompletion).Where(t => t > 0).DefaultIfEmpty(0).Min();
        return new LoadStats(
            concurrency,
            seconds,
            latencies.Length,
            errors.Total,
            bytes,
            latencies.Length / seconds,
            bytes / seconds / 1e6,
            PercentileMicroseconds(latencies, 0.50),
            PercentileMicroseconds(latencies, 0.99),
            errors.Counts(),
            errors.FirstMessages(),
            firstCompletion > 0 ? (firstCompletion - begin) * 1e3 / Stopwatch.Frequency : double.NaN,
            bucketCount > 0 ? bucket!.Value.TotalSeconds : null,
            bucketCount > 0 ? buckets : null);
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts, in microseconds; NaN when there are none.</summary>
    public static double PercentileMicroseconds(long[] sortedTicks, double fraction)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }

        int rank = Math.Clamp((int)Math.Ceiling(fraction * sortedTicks.Length), 1, sortedTicks.Length);
        return sortedTicks[rank - 1] * 1e6 / Stopwatch.Frequency;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static async Task<LoopRecord> LoopAsync(LoopRecord record, TimeSpan requestTimeout, Func<Task<int>> sendAsync, ErrorTally errors)
    {
        for (long begin = Stopwatch.GetTimestamp(); begin < record.MeasureEnd; begin = Stopwatch.GetTimestamp())
        {
            try
            {
                int length = await sendAsync().WaitAsync(requestTimeout);
                long end = Stopwatch.GetTimestamp();
                record.Completed(begin, end, length);
            }
            catch (Exception exception)
            {
                errors.Add(exception);
            }
        }

        return record;
    }

    /// <summary>One loop's tally; only its loop writes it.</summary>
    private sealed class LoopRecord(long start, long measureStart, long measureEnd, long bucketTicks, int bucketCount)
    {
        public long MeasureEnd => measureEnd;

        public List<long> Latencies { get; } = new(4096);

        public long Bytes { get; private set; }

        /// <summary>Completions per bucket from the start of the run, warm-up included.</summary>
        public long[] Buckets { get; } = new long[bucketCount];

        /// <summary>The Stopwatch timestamp of this loop's first successful completion; 0 before it.</summary>
        public long FirstCompletion { get; private set; }

        public void Completed(long begin, long end, int length)
        {
            if (FirstCompletion == 0)
            {
                FirstCompletion = end;
            }

            if (bucketCount > 0 && end >= start && end < measureEnd)
            {
                Buckets[Math.Min((int)((end - start) / bucketTicks), bucketCount - 1)]++;
            }

            if (end >= measureStart && end < measureEnd)
            {
                Latencies.Add(end - begin);
                Bytes += length;
            }
        }
    }
}
