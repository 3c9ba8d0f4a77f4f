using System.Collections.Concurrent;
using System.Diagnostics;
using ProcessFutures;

namespace Bench;

/// <summary>Pool start-up: construction to first response, and to every worker serving.</summary>
internal sealed partial class Scenarios
{
    private static readonly int[] s_poolSizes = [1, 2, 4];

    /// <summary>
    /// For n = 1, 2, 4: builds the pool and a session, sends one GET /get at once, and times the
    /// first response, all n workers ready (polling the pool every 5 ms) and all n workers
    /// answering (n more loops of GET /get until responses came from n distinct workers), in one run.
    /// </summary>
    public async Task<List<PoolStartResult>> PoolStartAsync()
    {
        var results = new List<PoolStartResult>(2 * s_poolSizes.Length);
        foreach ((int workers, WorkerTransport transport) in s_poolSizes.SelectMany(n => new[] { (n, WorkerTransport.Socket), (n, WorkerTransport.Grpc) }))
        {
            var first = new List<double>(_settings.PoolStartRuns);
            var all = new List<double>(_settings.PoolStartRuns);
            var answering = new List<double>(_settings.PoolStartRuns);
            for (int run = 0; run < _settings.PoolStartRuns; run++)
            {
                Progress($"pool start: {workers} worker(s), {transport}, run {run + 1} of {_settings.PoolStartRuns}");
                (double firstMs, double allMs, double answeringMs) = await StartOnceAsync(workers, transport);
                first.Add(firstMs);
                all.Add(allMs);
                answering.Add(answeringMs);
            }

            results.Add(new PoolStartResult(workers, transport.ToString(), first, all, answering, Median(first), Median(all), Median(answering)));
        }

        return results;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private async Task<(double FirstMs, double AllMs, double AnsweringMs)> StartOnceAsync(int workers, WorkerTransport transport)
    {
        string url = _server.Url("/get");
        long start = Stopwatch.GetTimestamp();
        await using var pool = new ProcessPoolExecutor(workers, new ProcessPoolOptions { Transport = transport });
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        Task<double> first = FirstResponseAsync(session, url, start);
        Task<double> answering = AllAnsweringAsync(session, url, workers, start);
        double allReady = await WaitForWorkersAsync(pool, start);
        return (await first.WaitAsync(s_workersReadyTimeout), allReady, await answering.WaitAsync(s_workersReadyTimeout));
    }

    /// <summary>Milliseconds since <paramref name="start"/> until responses have come from <paramref name="workers"/> distinct worker processes.</summary>
    private static async Task<double> AllAnsweringAsync(FuturesSession session, string url, int workers, long start)
    {
        var seen = new ConcurrentDictionary<int, bool>();
        double answeredMs = double.NaN;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(LoopAsync))).WaitAsync(s_workersReadyTimeout);
        return answeredMs;

        async Task LoopAsync()
        {
            while (seen.Count < workers && Stopwatch.GetElapsedTime(start) < s_workersReadyTimeout)
            {
                Response response = await session.GetAsync(url).WaitAsync(s_workersReadyTimeout);
                response.EnsureSuccessStatusCode();
                if (seen.TryAdd(response.ProcessId, true) && seen.Count == workers)
                {
                    answeredMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }
    }

    private static async Task<double> FirstResponseAsync(FuturesSession session, string url, long start)
    {
        Response response = await session.GetAsync(url).WaitAsync(s_workersReadyTimeout);
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
