using System.Diagnostics;
using System.Security.Cryptography;
using HttpBin;
using ProcessFutures;

namespace Bench;

/// <summary>Memory: many 10 MiB downloads reduced to their SHA-256, in workers (with and without recycling) and in process.</summary>
internal sealed partial class Scenarios
{
    private const int MemoryBodyLength = 10 * 1024 * 1024;
    private const ulong MemorySeed = 3;
    private const int MemoryConcurrency = 2;
    private static readonly TimeSpan s_memoryRunTimeout = TimeSpan.FromMinutes(10);

    public async Task<List<MemoryResult>> MemoryAsync()
    {
        string url = _server.Url($"/bytes/{MemoryBodyLength}?seed={MemorySeed}");
        string expected = DeterministicBytes.Sha256Hex(MemoryBodyLength, MemorySeed);
        return
        [
            await MemoryPoolAsync(url, expected, maxTasksPerWorker: 0),
            await MemoryPoolAsync(url, expected, _settings.MaxTasksPerWorker),
            await MemoryRawAsync(url, expected),
        ];
    }

    private async Task<MemoryResult> MemoryPoolAsync(string url, string expected, int maxTasksPerWorker)
    {
        string setup = $"{PoolWorkers} workers × ConcurrencyPerWorker 1, MaxTasksPerWorker {maxTasksPerWorker}, hash in worker";
        Progress($"memory: {ProcessPool}, {setup}");
        var options = new ProcessPoolOptions { ConcurrencyPerWorker = 1, MaxTasksPerWorker = maxTasksPerWorker };
        await using var pool = new ProcessPoolExecutor(PoolWorkers, options);
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        await WaitForWorkersAsync(pool, Stopwatch.GetTimestamp());
        return await DownloadAllAsync(ProcessPool, setup, () => session.GetAsync(url, Callbacks.Sha256), expected, () => pool.WorkerProcessIds);
    }

    private async Task<MemoryResult> MemoryRawAsync(string url, string expected)
    {
        string setup = $"1 HttpClient, {MemoryConcurrency} loops, hash in process";
        Progress($"memory: {Raw}, {setup}");
        using HttpClient client = LoadSubject.CreateRawClient();
        return await DownloadAllAsync(Raw, setup, () => DownloadAndHashAsync(client, url), expected, workerIds: null);
    }

    private static async Task<string> DownloadAndHashAsync(HttpClient client, string url)
    {
        using HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return Convert.ToHexStringLower(SHA256.HashData(body));
    }

    /// <summary><see cref="BenchSettings.Downloads"/> downloads by <see cref="MemoryConcurrency"/> loops, sampling memory throughout.</summary>
    private async Task<MemoryResult> DownloadAllAsync(string executor, string setup, Func<Task<string>> downloadAsync, string expected, Func<IReadOnlyList<int>>? workerIds)
    {
        int downloads = _settings.Downloads;
        int next = 0;
        int done = 0;
        var errors = new ErrorTally();
        long idle = RssSampler.ClientIdleBytes();
        using var sampler = new RssSampler(workerIds);
        long start = Stopwatch.GetTimestamp();
        Task[] loops = [.. Enumerable.Range(0, MemoryConcurrency).Select(_ => Task.Run(LoopAsync))];
        await Task.WhenAll(loops).WaitAsync(s_memoryRunTimeout);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        RssPeaks rss = sampler.Stop(idle);
        long bytes = (long)done * MemoryBodyLength;
        return new MemoryResult(executor, setup, downloads, bytes, errors.Total, errors.Counts(), errors.FirstMessages(), seconds, bytes / seconds / 1e6, rss);

        async Task LoopAsync()
        {
            while (Interlocked.Increment(ref next) <= downloads)
            {
                try
                {
                    string hash = await downloadAsync().WaitAsync(s_requestTimeout);
                    if (hash != expected)
                    {
                        throw new InvalidDataException($"The SHA-256 is '{hash}'; expected '{expected}'.");
                    }

                    Interlocked.Increment(ref done);
                }
                catch (Exception exception)
                {
                    errors.Add(exception);
                }
            }
        }
    }
}
