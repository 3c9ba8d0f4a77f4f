using System.Diagnostics;

namespace Bench;

/// <summary>
/// Closed-loop load: <c>concurrency</c> loops each send requests back to back, through a warm-up
/// and then a measurement window; a request counts when it completes inside the window.
/// </summary>
internal static class LoadRunner
{
    /// <summary>Runs the load; <paramref name="sendAsync"/> sends one request and returns its body length (it throws on failure).</summary>
    public static async Task<LoadStats> RunAsync(int concurrency, TimeSpan warmUp, TimeSpan measure, TimeSpan requestTimeout, Func<Task<int>> sendAsync)
    {
        long start = Stopwatch.GetTimestamp();
        long measureStart = start + ToTicks(warmUp);
        long measureEnd = measureStart + ToTicks(measure);
        var errors = new ErrorTally();
        var loops = new Task<LoopRecord>[concurrency];
        for (int i = 0; i < concurrency; i++)
        {
            loops[i] = Task.Run(() => LoopAsync(measureStart, measureEnd, requestTimeout, sendAsync, errors));
        }

        // Each request is bounded by requestTimeout; the last ones start just before the window ends.
        LoopRecord[] records = await Task.WhenAll(loops).WaitAsync(warmUp + measure + requestTimeout + TimeSpan.FromSeconds(10));
        long[] latencies = [.. records.SelectMany(r => r.Latencies)];
        Array.Sort(latencies);
        long bytes = records.Sum(r => r.Bytes);
        double seconds = measure.TotalSeconds;
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
            errors.FirstMessages());
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts, in microseconds; NaN when there are none.</summary>
    private static double PercentileMicroseconds(long[] sortedTicks, double fraction)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }

        int rank = Math.Clamp((int)Math.Ceiling(fraction * sortedTicks.Length), 1, sortedTicks.Length);
        return sortedTicks[rank - 1] * 1e6 / Stopwatch.Frequency;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static async Task<LoopRecord> LoopAsync(long measureStart, long measureEnd, TimeSpan requestTimeout, Func<Task<int>> sendAsync, ErrorTally errors)
    {
        var record = new LoopRecord();
        for (long begin = Stopwatch.GetTimestamp(); begin < measureEnd; begin = Stopwatch.GetTimestamp())
        {
            try
            {
                int length = await sendAsync().WaitAsync(requestTimeout);
                long end = Stopwatch.GetTimestamp();
                if (end >= measureStart && end < measureEnd)
                {
                    record.Latencies.Add(end - begin);
                    record.Bytes += length;
                }
            }
            catch (Exception exception)
            {
                errors.Add(exception);
            }
        }

        return record;
    }

    /// <summary>One loop's tally; only its loop writes it.</summary>
    private sealed class LoopRecord
    {
        public List<long> Latencies { get; } = new(4096);

        public long Bytes { get; set; }
    }
}
