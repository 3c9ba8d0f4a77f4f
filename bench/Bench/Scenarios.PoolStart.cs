using System.Diagnostics;
using Session.Client;
using Session.Contracts;

namespace Bench;

/// <summary>Pool start-up: construction to first response, and to every worker serving.</summary>
internal sealed partial class Scenarios
{
    private static readonly int[] s_poolSizes = [1, 2, 4];

    /// <summary>
    /// For n = 1, 2, 4: builds the pool and a session, sends one GET /get at once, and times the
    /// first response and (in the same run, by polling every 5 ms) all n workers serving.
    /// </summary>
    public async Task<List<PoolStartResult>> PoolStartAsync()
    {
        var results = new List<PoolStartResult>(s_poolSizes.Length);
        foreach (int workers in s_poolSizes)
        {
            var first = new List<double>(_settings.PoolStartRuns);
            var all = new List<double>(_settings.PoolStartRuns);
            for (int run = 0; run < _settings.PoolStartRuns; run++)
            {
                Progress($"3. pool start: {workers} worker(s), run {run + 1} of {_settings.PoolStartRuns}");
                (double firstMs, double allMs) = await StartOnceAsync(workers);
                first.Add(firstMs);
                all.Add(allMs);
            }

            results.Add(new PoolStartResult(workers, first, all, Median(first), Median(all)));
        }

        return results;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private async Task<(double FirstMs, double AllMs)> StartOnceAsync(int workers)
    {
        string url = _server.Url("/get");
        long start = Stopwatch.GetTimestamp();
        await using var pool = new ProcessPoolExecutor(workers);
        await using var session = new FuturesSession(pool, options: SessionOptions());
        Task<double> first = FirstResponseAsync(session, url, start);
        double allReady = await WaitForWorkersAsync(pool, start);
        return (await first.WaitAsync(s_workersReadyTimeout), allReady);
    }

    private static async Task<double> FirstResponseAsync(FuturesSession session, string url, long start)
    {
        Response response = await session.GetAsync(url).WaitAsync(s_workersReadyTimeout);
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
