using System.Diagnostics;
using HttpBin;
using Session.Client;
using Session.Contracts;

namespace Bench;

/// <summary>
/// The scenarios, each run against raw HttpClient, ThreadPoolExecutor and ProcessPoolExecutor
/// in turn, against the same in-process server; this file holds the throughput ones.
/// </summary>
internal sealed partial class Scenarios
{
    public const string Raw = "HttpClient (raw)";
    public const string ThreadPool = "ThreadPoolExecutor";
    public const string ProcessPool = "ProcessPoolExecutor";
    private const int PoolWorkers = 2;

    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_workersReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpBinServer _server;
    private readonly BenchSettings _settings;

    public Scenarios(HttpBinServer server, BenchSettings settings)
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
        using HttpClient client = CreateRawClient();
        string[] paths = ["/get", "/bytes/100?seed=1", "/bytes/1048576?seed=2", $"/bytes/{MemoryBodyLength}?seed=3"];
        for (int i = 0; i < 200; i++)
        {
            await SendRawAsync(client, _server.Url(paths[i % paths.Length]), expectedLength: null).WaitAsync(s_requestTimeout);
        }
    }

    /// <summary>Closed-loop load on <paramref name="pathAndQuery"/> at <paramref name="concurrency"/>, for the three executors.</summary>
    public async Task<List<ThroughputResult>> ThroughputAsync(string scenario, string pathAndQuery, int expectedLength, int concurrency)
    {
        string url = _server.Url(pathAndQuery);
        int perWorker = (concurrency + PoolWorkers - 1) / PoolWorkers;

        Progress($"{scenario}: {Raw}");
        LoadStats rawLoad;
        RssPeaks rawRss;
        using (HttpClient client = CreateRawClient())
        {
            (rawLoad, rawRss) = await MeasureAsync(concurrency, () => SendRawAsync(client, url, expectedLength), workerIds: null);
        }

        Progress($"{scenario}: {ThreadPool}");
        LoadStats threadLoad;
        RssPeaks threadRss;
        await using (var threads = new ThreadPoolExecutor(concurrency))
        await using (var session = new FuturesSession(threads, options: SessionOptions()))
        {
            (threadLoad, threadRss) = await MeasureAsync(concurrency, () => SendAsync(session, url, expectedLength), workerIds: null);
        }

        Progress($"{scenario}: {ProcessPool}");
        LoadStats processLoad;
        RssPeaks processRss;
        await using (var pool = new ProcessPoolExecutor(PoolWorkers, new ProcessPoolOptions { ConcurrencyPerWorker = perWorker }))
        await using (var session = new FuturesSession(pool, options: SessionOptions()))
        {
            await WaitForWorkersAsync(pool, Stopwatch.GetTimestamp());
            (processLoad, processRss) = await MeasureAsync(concurrency, () => SendAsync(session, url, expectedLength), () => pool.WorkerProcessIds);
        }

        return
        [
            Compare(rawLoad, rawRss, Raw, $"1 HttpClient, {concurrency} loop(s)", perWorker: null),
            Compare(threadLoad, threadRss, ThreadPool, $"ThreadPoolExecutor({concurrency})", perWorker: null),
            Compare(processLoad, processRss, ProcessPool, $"{PoolWorkers} workers × ConcurrencyPerWorker {perWorker}", perWorker),
        ];

        ThroughputResult Compare(LoadStats load, RssPeaks rss, string executor, string setup, int? perWorker) => new(
            scenario,
            pathAndQuery,
            executor,
            setup,
            perWorker,
            load,
            rss,
            load.RequestsPerSecond / rawLoad.RequestsPerSecond,
            load.MegabytesPerSecond / rawLoad.MegabytesPerSecond,
            load.P50Microseconds - rawLoad.P50Microseconds,
            load.P99Microseconds - rawLoad.P99Microseconds);
    }

    /// <summary>The harness's own progress, on stderr so that stdout holds only the report.</summary>
    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>The physical limit: one HttpClient over SocketsHttpHandler, shared by every loop.</summary>
    private static HttpClient CreateRawClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true) { Timeout = s_requestTimeout };

    /// <summary>Sessions bound every request by the same timeout as the raw client, so their disposal cannot wait forever.</summary>
    private static SessionOptions SessionOptions() => new() { Timeout = s_requestTimeout };

    private static async Task<int> SendRawAsync(HttpClient client, string url, int? expectedLength)
    {
        using HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return CheckLength(body.Length, expectedLength);
    }

    private static async Task<int> SendAsync(FuturesSession session, string url, int expectedLength)
    {
        Response response = await session.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return CheckLength(response.Content.Length, expectedLength);
    }

    private static int CheckLength(int length, int? expected) =>
        expected is null || length == expected ? length : throw new InvalidDataException($"The body has {length} bytes; expected {expected}.");

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

    private async Task<(LoadStats Load, RssPeaks Rss)> MeasureAsync(int concurrency, Func<Task<int>> sendAsync, Func<IReadOnlyList<int>>? workerIds)
    {
        long idle = RssSampler.ClientIdleBytes();
        using var sampler = new RssSampler(workerIds);
        LoadStats load = await LoadRunner.RunAsync(concurrency, _settings.WarmUp, _settings.Measure, s_requestTimeout, sendAsync);
        return (load, sampler.Stop(idle));
    }
}
