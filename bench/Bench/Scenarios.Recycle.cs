using System.Diagnostics;
using System.Globalization;
using HttpBin;
using ProcessFutures;

namespace Bench;

/// <summary>
/// Recycling: a load through a pool of <see cref="PoolWorkers"/> workers with
/// <c>MaxTasksPerWorker</c>, against the same pool without it, in the same run: the small body at
/// concurrency 16, and a 10 MiB body hashed in the worker at concurrency 4.
/// </summary>
/// <remarks>
/// <para>
/// "During a recycle" is read from the pool's own metrics (a <see cref="PoolStateRecorder"/> as
/// its meter factory) and from which worker answered each request: the pool is at rest when all
/// its workers are ready, none is starting, none is draining, and every replacement has answered
/// its first request (a worker is "ready" before its first request has paid for its JIT and its
/// connection: in the first runs, 150–250 ms went by between a replacement's ready and its first
/// answer, with nothing completing). A recycle is an interval in which the pool is not at rest:
/// from the moment a worker stops taking requests (or a replacement starts, whichever is first)
/// until the replacement has answered and the old worker has exited. Recycles that overlap make
/// one interval. A request was in flight during a recycle when its send-to-completion overlapped
/// such an interval; requests that a replacement serves after its first answer are not counted
/// in it (the p99 outside recycles shows what they cost). This does not depend on how the pool
/// recycles: a replacement started before its predecessor retires (a warm spare) counts from its start.
/// </para>
/// <para>
/// A recycled worker exits inside the window and cannot be read from /proc afterwards: worker CPU
/// is counted from this process's reaped children (cutime + cstime) and its live children, which
/// holds because only one pool is alive at a time (each window has a fresh one).
/// </para>
/// </remarks>
internal sealed partial class Scenarios
{
    public const int RecycleSmallConcurrency = 16;
    public const int RecycleBigConcurrency = 4;

    /// <summary>The 10 MiB body of the memory scenario, whose SHA-256 the server's cache already has warm.</summary>
    public static readonly string RecycleBigPath = string.Create(CultureInfo.InvariantCulture, $"/bytes/{MemoryBodyLength}?seed={MemorySeed}");

    public async Task<List<RecycleResult>> RecycleAsync()
    {
        RecycleLoad[] loads =
        [
            new(
                $"13. Recycling, small body: GET /bytes/100, concurrency {RecycleSmallConcurrency}, {PoolWorkers} workers, MaxTasksPerWorker {_settings.RecycleSmallTasks} against none",
                SmallPath,
                100,
                RecycleSmallConcurrency,
                _settings.RecycleSmallTasks,
                Sha256: null),
            new(
                $"13. Recycling, 10 MiB body hashed in the worker (Callbacks.Sha256AndProcessId): GET /bytes/{MemoryBodyLength}, concurrency {RecycleBigConcurrency}, {PoolWorkers} workers, MaxTasksPerWorker {_settings.RecycleBigTasks} against none",
                RecycleBigPath,
                MemoryBodyLength,
                RecycleBigConcurrency,
                _settings.RecycleBigTasks,
                DeterministicBytes.Sha256Hex(MemoryBodyLength, MemorySeed)),
        ];
        var results = new List<RecycleResult>(loads.Length);
        TimeSpan window = _settings.ComparisonMeasure / _settings.RecycleWindows;
        foreach (RecycleLoad load in loads)
        {
            var recycling = new List<RecycleWindow>();
            var notRecycling = new List<RecycleWindow>();
            for (int i = 0; i < _settings.RecycleWindows; i++)
            {
                // Not recycling, recycling; then recycling, not recycling; …
                int[] order = i % 2 == 0 ? [0, load.MaxTasksPerWorker] : [load.MaxTasksPerWorker, 0];
                foreach (int maxTasks in order)
                {
                    Progress($"recycle: {load.Path}, MaxTasksPerWorker {maxTasks}, window {i + 1} of {_settings.RecycleWindows}");
                    RecycleWindow measured = await MeasureRecycleWindowAsync(load, maxTasks, _settings.ComparisonWarmUp, window);
                    (maxTasks == 0 ? notRecycling : recycling).Add(measured);
                }
            }

            results.Add(new RecycleResult(load.Title, load.Path, load.Length, load.Concurrency, load.Sha256 is not null, PoolWindows(recycling, load), PoolWindows(notRecycling, load)));
        }

        return results;
    }

    /// <summary>
    /// A fresh pool with <paramref name="maxTasksPerWorker"/> (0: none): waits for its workers,
    /// primes every slot, loads it through <paramref name="warmUp"/> and measures
    /// <paramref name="measure"/>, logging every request (and the worker that answered it) and the
    /// pool's state changes, sampling memory, and reading CPU at the window's two ends.
    /// </summary>
    private async Task<RecycleWindow> MeasureRecycleWindowAsync(RecycleLoad load, int maxTasksPerWorker, TimeSpan warmUp, TimeSpan measure)
    {
        using var recorder = new PoolStateRecorder();
        var options = new ProcessPoolOptions
        {
            ConcurrencyPerWorker = LoadSubject.SlotsPerWorker(load.Concurrency, PoolWorkers),
            MaxTasksPerWorker = maxTasksPerWorker,
            MeterFactory = recorder,
        };
        await using LoadSubject subject = LoadSubject.ForPool(PoolWorkers, options, _server.Url(load.Path), load.Length, load.Sha256);
        await WaitForWorkersAsync(subject.Pool!, Stopwatch.GetTimestamp());
        HashSet<int> initial = [.. subject.Pool!.WorkerProcessIds];
        var log = new RequestLog();
        Func<Task<int>> send = log.Wrap(subject.SendAnsweredByAsync!);
        await PrimeAsync(subject, Math.Max(load.Concurrency, 2 * PoolWorkers), send);

        long idle = RssSampler.ClientIdleBytes();
        using var sampler = new RssSampler(subject.WorkerIds);
        long start = Stopwatch.GetTimestamp();
        long from = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        long to = from + (long)(measure.TotalSeconds * Stopwatch.Frequency);
        int? server = _server.ProcessId;
        Task<(CpuSnapshot Before, CpuSnapshot After)> cpu = CpuWindow.ReadAsync(from, to, server, () => ChildProcesses.OfThisProcess(except: server));
        LoadStats stats = await LoadRunner.RunAsync(load.Concurrency, warmUp, measure, s_requestTimeout, send, start);
        RssPeaks rss = sampler.Stop(idle);
        (CpuSnapshot before, CpuSnapshot after) = await cpu.WaitAsync(s_requestTimeout);

        (long Begin, long End, int ProcessId)[] requests = log.CompletedIn(from, to);
        List<(long Start, long End)> recycles = recorder.NotAtRest(PoolWorkers, log.FirstAnswers().Where(a => !initial.Contains(a.Key)).Select(a => a.Value));
        var all = new List<long>(requests.Length);
        var during = new List<long>();
        var outside = new List<long>(requests.Length);
        foreach ((long begin, long end, _) in requests)
        {
            all.Add(end - begin);
            (Overlaps(recycles, begin, end) ? during : outside).Add(end - begin);
        }

        double seconds = measure.TotalSeconds;
        long bucketTicks = (long)(_settings.RecycleBucket.TotalSeconds * Stopwatch.Frequency);
        double[] buckets = new double[(int)Math.Floor(seconds / _settings.RecycleBucket.TotalSeconds)];
        foreach ((_, long end, _) in requests)
        {
            long bucket = (end - from) / bucketTicks;
            if (bucket < buckets.Length)
            {
                buckets[bucket] += 1 / _settings.RecycleBucket.TotalSeconds;
            }
        }

        double recycleSeconds = recycles.Sum(u => Math.Max(0, Math.Min(u.End, to) - Math.Max(u.Start, from))) / (double)Stopwatch.Frequency;
        double[] drains = [.. recorder.DrainsBegun(from, to).Select(t => (t - from) / (double)Stopwatch.Frequency)];
        var run = new WarmRun(subject.Executor, subject.Setup, subject.PerWorker, stats, rss, after.Since(before, requests.Length / seconds, countExitedWorkers: true));
        return new RecycleWindow(run, maxTasksPerWorker, seconds, [.. all], [.. during], [.. outside], recycleSeconds, drains, recorder.Exits(PoolStateRecorder.RecycleTasks, from, to), buckets);
    }

    /// <summary>Whether [<paramref name="begin"/>, <paramref name="end"/>] overlaps one of <paramref name="intervals"/> (in order, disjoint).</summary>
    private static bool Overlaps(List<(long Start, long End)> intervals, long begin, long end)
    {
        // The first interval that ends after the request began; the ends are in order too.
        int low = 0, high = intervals.Count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (intervals[middle].End > begin)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low < intervals.Count && intervals[low].Start < end;
    }

    /// <summary>One pool's windows as one: counts and seconds add up; percentiles are over every request of every window.</summary>
    private static RecyclePoolRun PoolWindows(List<RecycleWindow> windows, RecycleLoad load)
    {
        WarmRun run = windows.Select(w => w.Run).Aggregate(WarmRun.Pooled);
        long[] all = Sorted(windows.SelectMany(w => w.Latencies));
        long[] during = Sorted(windows.SelectMany(w => w.During));
        long[] outside = Sorted(windows.SelectMany(w => w.Outside));
        double seconds = windows.Sum(w => w.Seconds);
        var began = new List<double>();
        double offset = 0;
        foreach (RecycleWindow window in windows)
        {
            began.AddRange(window.DrainsBegun.Select(t => t + offset));
            offset += window.Seconds;
        }

        return new RecyclePoolRun(
            run.Setup,
            windows[0].MaxTasksPerWorker,
            windows.Count,
            seconds,
            all.Length,
            run.Load.Errors,
            all.Length / seconds,
            (double)all.Length * load.Length / seconds / 1e6,
            LoadRunner.PercentileMicroseconds(all, 0.50),
            LoadRunner.PercentileMicroseconds(all, 0.99),
            LoadRunner.PercentileMicroseconds(all, 1),
            during.Length,
            LoadRunner.PercentileMicroseconds(during, 0.50),
            LoadRunner.PercentileMicroseconds(during, 0.99),
            LoadRunner.PercentileMicroseconds(outside, 0.99),
            windows.Sum(w => w.RecycleSeconds) / seconds,
            began.Count,
            windows.Sum(w => w.RecycleExits),
            run.Rss.WorkerPeakBytes.Count,
            run.Cpu,
            run.Rss,
            windows[0].Buckets.Length > 0 ? windows[0].Seconds / windows[0].Buckets.Length : double.NaN,
            [.. windows.SelectMany(w => w.Buckets)],
            began,
            run.Load.ErrorCounts,
            run.Load.FirstErrorMessages);

        static long[] Sorted(IEnumerable<long> values)
        {
            long[] sorted = [.. values];
            Array.Sort(sorted);
            return sorted;
        }
    }

    /// <summary>A load of the recycling scenario; <see cref="Sha256"/>: the body is hashed in the worker and must hash to this.</summary>
    private sealed record RecycleLoad(string Title, string Path, int Length, int Concurrency, int MaxTasksPerWorker, string? Sha256);

    /// <summary>
    /// One window of one pool: the warm run (errors, CPU, memory), latencies in Stopwatch ticks
    /// (all, in flight during a recycle, the others), the seconds it spent recycling, when
    /// recycles began (seconds into the window), workers that exited for their task limit, and
    /// requests/s in each bucket.
    /// </summary>
    private sealed record RecycleWindow(
        WarmRun Run,
        int MaxTasksPerWorker,
        double Seconds,
        long[] Latencies,
        long[] During,
        long[] Outside,
        double RecycleSeconds,
        double[] DrainsBegun,
        int RecycleExits,
        double[] Buckets);
}
