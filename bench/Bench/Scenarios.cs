using System.Diagnostics;
using ProcessFutures;

namespace Bench;

/// <summary>
/// The scenarios, each run against raw HttpClient and the executors in turn, against the same
/// server; this file holds the warm throughput ones and what the others share.
/// </summary>
internal sealed partial class Scenarios
{
    public const string Raw = LoadSubject.Raw;
    public const string ThreadPool = LoadSubject.ThreadPool;
    public const string ProcessPool = LoadSubject.ProcessPool;
    public const int PoolWorkers = 2;
    public const string SmallPath = "/bytes/100?seed=1";
    public const string MebibytePath = "/bytes/1048576?seed=2";

    /// <summary>The seed in <see cref="MebibytePath"/>, for the body's expected SHA-256.</summary>
    public const ulong MebibyteSeed = 2;

    private const int PrimingRequests = 5;

    private static readonly TimeSpan s_requestTimeout = LoadSubject.RequestTimeout;
    private static readonly TimeSpan s_workersReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly BenchServer _server;
    private readonly BenchSettings _settings;

    public Scenarios(BenchServer server, BenchSettings settings)
    {
        _server = server;
        _settings = settings;
    }

    /// <summary>
    /// JIT-compiles the server and the raw client path and fills the server's body cache, so that
    /// neither the first executor measured nor the memory baseline pays for it.
    /// </summary>
    public async Task WarmUpServerAsync()
    {
        using HttpClient client = LoadSubject.CreateRawClient();
        string[] paths = ["/get", SmallPath, MebibytePath, $"/bytes/{MemoryBodyLength}?seed=3"];
        for (int i = 0; i < 200; i++)
        {
            using HttpResponseMessage response = await client.GetAsync(_server.Url(paths[i % paths.Length])).WaitAsync(s_requestTimeout);
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Closed-loop load on <paramref name="pathAndQuery"/> at <paramref name="concurrency"/>, for the three executors, each warmed up first.</summary>
    public async Task<List<ThroughputResult>> ThroughputAsync(string scenario, string pathAndQuery, int expectedLength, int concurrency)
    {
        string url = _server.Url(pathAndQuery);
        var measured = new List<WarmRun>();
        foreach (string executor in LoadSubject.ExecutorsAndGrpcPool)
        {
            Progress($"{scenario}: {executor}");
            await using LoadSubject subject = LoadSubject.Create(executor, concurrency, PoolWorkers, url, expectedLength);
            measured.Add(await MeasureWarmAsync(subject, concurrency, _settings.WarmUp, _settings.Measure));
        }

        return [.. measured.Select(m => m.Compared(scenario, pathAndQuery, measured[0].Load))];
    }

    /// <summary>
    /// Sends <see cref="PrimingRequests"/> requests on each of <paramref name="loops"/> loops, with
    /// <paramref name="sendAsync"/> (default: the subject's); not timed, and a failure fails the run.
    /// </summary>
    private static async Task PrimeAsync(LoadSubject subject, int loops, Func<Task<int>>? sendAsync = null)
    {
        Func<Task<int>> send = sendAsync ?? subject.SendAsync;
        await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < PrimingRequests; i++)
            {
                await send().WaitAsync(s_requestTimeout);
            }
        })));
    }

    /// <summary>The harness's own progress, on stderr so that stdout holds only the report.</summary>
    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Waits until every worker of <paramref name="pool"/> serves (polling every 5 ms); returns milliseconds since <paramref name="since"/>.</summary>
    private static async Task<double> WaitForWorkersAsync(ProcessPoolExecutor pool, long since)
    {
        while (pool.WorkerProcessIds.Count < pool.MaxWorkers)
        {
            if (Stopwatch.GetElapsedTime(since) > s_workersReadyTimeout)
            {
                throw new TimeoutException($"Only {pool.WorkerProcessIds.Count} of {pool.MaxWorkers} workers were ready after {s_workersReadyTimeout.TotalSeconds} s.");
            }

            await Task.Delay(5);
        }

        return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
    }

    /// <summary>Waits until <paramref name="workers"/> remote workers serve (connected, /healthz answered; polling every 5 ms).</summary>
    private static async Task WaitForRemoteWorkersAsync(RemoteWorkerExecutor remote, int workers)
    {
        long since = Stopwatch.GetTimestamp();
        while (remote.WorkerAddresses.Count < workers)
        {
            if (Stopwatch.GetElapsedTime(since) > s_workersReadyTimeout)
            {
                throw new TimeoutException($"Only {remote.WorkerAddresses.Count} of {workers} remote workers served after {s_workersReadyTimeout.TotalSeconds} s: {string.Join(", ", remote.WorkerAddresses)}.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>
    /// The warm regime: waits for a pool's workers and primes the subject (a few requests on
    /// every slot, so that no worker meets its first request inside the window), then loads it
    /// through <paramref name="warmUp"/> and measures <paramref name="measure"/>, sampling memory
    /// throughout and reading CPU at the window's two ends.
    /// </summary>
    private async Task<WarmRun> MeasureWarmAsync(LoadSubject subject, int concurrency, TimeSpan warmUp, TimeSpan measure)
    {
        if (subject.Pool is { } pool)
        {
            await WaitForWorkersAsync(pool, Stopwatch.GetTimestamp());
        }

        if (subject.Remote is { } remote)
        {
            await WaitForRemoteWorkersAsync(remote, subject.RemoteWorkers);
        }

        await PrimeAsync(subject, Math.Max(concurrency, 2 * PoolWorkers));

        long idle = RssSampler.ClientIdleBytes();
        using var sampler = new RssSampler(subject.WorkerIds);
        long start = Stopwatch.GetTimestamp();
        long windowStart = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        Task<(CpuSnapshot Before, CpuSnapshot After)> cpu = CpuWindow.ReadAsync(windowStart, windowStart + (long)(measure.TotalSeconds * Stopwatch.Frequency), _server.ProcessId, subject.WorkerIds);
        LoadStats load = await LoadRunner.RunAsync(concurrency, warmUp, measure, s_requestTimeout, subject.SendAsync, start);
        RssPeaks rss = sampler.Stop(idle);
        (CpuSnapshot before, CpuSnapshot after) = await cpu.WaitAsync(s_requestTimeout);
        return new WarmRun(subject.Executor, subject.Setup, subject.PerWorker, load, rss, after.Since(before, load.RequestsPerSecond));
    }
}
