using System.Collections.Concurrent;
using System.Globalization;
using HttpBin;
using ProcessFutures;

namespace Bench;

/// <summary>
/// Workers elsewhere, simulated here: remote workers on loopback addresses of this machine (TLS,
/// a token), against the same server, next to raw HttpClient and a local pool of as many workers;
/// then one worker more. Their pids are known, so their CPU is counted as the pool's is.
/// </summary>
internal sealed partial class Scenarios
{
    public const int RemoteBaseWorkers = 3;
    public const string RemoteBase = "RemoteWorkerExecutor, 3 workers";
    public const string RemoteMore = "RemoteWorkerExecutor, 4 workers";
    public const string RemoteCallback = "RemoteWorkerExecutor, 4 workers, SHA-256 in the worker";

    /// <summary>127.0.0.2 … .5: one address per worker, as one machine each (the whole of 127/8 is local).</summary>
    private static readonly string[] s_remoteAddresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];

    /// <summary>
    /// The settings the pool writes for its own workers (WorkerCommand: workstation GC without a
    /// background thread, no tiered PGO), given to the remote ones too: the bench's runtimeconfig
    /// has neither, and the comparison is meant to be of the transport alone.
    /// </summary>
    private static readonly Dictionary<string, string> s_remoteRuntime = new()
    {
        ["DOTNET_gcConcurrent"] = "0",
        ["DOTNET_TieredPGO"] = "0",
    };

    private const int RemoteCallbackRequests = 64;

    /// <summary>
    /// Starts four remote workers, checks that a callback of this assembly runs in them, then, for
    /// a small body at concurrency 16 and a 1 MiB body at concurrency 4: raw HttpClient, a
    /// ProcessPoolExecutor of 3, a RemoteWorkerExecutor on 3 of the workers and on all 4 (each with
    /// enough slots per worker for the load), and, on the 1 MiB body, the 4 hashing it in a callback.
    /// A quick run leaves out the pool (measured in the other scenarios; its start is the slowest
    /// part) and measures the 1 MiB body only raw and with the callback. The workers are killed at the end.
    /// </summary>
    public async Task<RemoteResult> RemoteAsync()
    {
        Progress($"remote: starting {s_remoteAddresses.Length} workers on {string.Join(", ", s_remoteAddresses)}");
        await using RemoteWorkerSet workers = await RemoteWorkerSet.StartAsync(s_remoteAddresses, s_remoteRuntime);
        string[] described = [.. workers.Workers.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Endpoint} (pid {w.ProcessId})"))];
        Progress($"remote: ready: {string.Join(", ", described)}");

        (List<int> callbackPids, ErrorTally callbackErrors) = await RemoteCallbackCheckAsync(workers);

        bool quick = _settings.Quick;
        var loads = new (string Title, string Path, int Length, int Concurrency)[]
        {
            ("9. Remote workers, small body, warm: GET /bytes/100, concurrency 16", SmallPath, 100, 16),
            ("10. Remote workers, 1 MiB body, warm: GET /bytes/1048576, concurrency 4", MebibytePath, 1048576, 4),
        };
        var results = new List<ThroughputResult>();
        foreach ((string title, string path, int length, int concurrency) in loads)
        {
            string url = _server.Url(path);
            int all = workers.Workers.Count;
            int perBase = LoadSubject.SlotsPerWorker(concurrency, RemoteBaseWorkers);
            int perAll = LoadSubject.SlotsPerWorker(concurrency, all);
            bool mebibyte = path == MebibytePath;
            var subjects = new List<Func<LoadSubject>> { () => LoadSubject.Create(Raw, concurrency, PoolWorkers, url, length) };
            if (!quick)
            {
                subjects.Add(() => LoadSubject.ForPool(RemoteBaseWorkers, perBase, url, length));
            }

            if (!quick || !mebibyte)
            {
                subjects.Add(() => LoadSubject.ForRemote(RemoteBase, workers.Target(RemoteBaseWorkers), workers.Options(perBase), workers.ProcessIds(RemoteBaseWorkers), url, length));
                subjects.Add(() => LoadSubject.ForRemote(RemoteMore, workers.Target(all), workers.Options(perAll), workers.ProcessIds(all), url, length));
            }

            if (mebibyte)
            {
                string sha256 = DeterministicBytes.Sha256Hex(length, MebibyteSeed);
                subjects.Add(() => LoadSubject.ForRemote(RemoteCallback, workers.Target(all), workers.Options(perAll), workers.ProcessIds(all), url, length, sha256));
            }

            var measured = new List<WarmRun>();
            foreach (Func<LoadSubject> create in subjects)
            {
                await using LoadSubject subject = create();
                Progress($"remote: {title}: {subject.Executor}");
                measured.Add(await MeasureWarmAsync(subject, concurrency, _settings.ComparisonWarmUp, _settings.ComparisonMeasure));
            }

            results.AddRange(measured.Select(m => m.Compared(title, path, measured[0].Load)));
        }

        return new RemoteResult(
            described,
            $"ProcessFutures.dll --remote on Bench.runtimeconfig.json, with {string.Join(", ", s_remoteRuntime.Select(v => $"{v.Key}={v.Value}"))} (the settings the pool gives its own workers)",
            Environment.ProcessorCount,
            results,
            callbackPids,
            RemoteCallbackRequests,
            callbackErrors.Total,
            callbackErrors.FirstMessages());
    }

    /// <summary>
    /// Sends <see cref="RemoteCallbackRequests"/> GET /get with <see cref="Callbacks.ProcessId"/>,
    /// 16 at a time, through all the workers: each must come back with one of their pids (the
    /// callback ran there, found by assembly name). Returns the pids seen, and the failures.
    /// </summary>
    private async Task<(List<int> ProcessIds, ErrorTally Errors)> RemoteCallbackCheckAsync(RemoteWorkerSet workers)
    {
        Progress($"remote: Callbacks.ProcessId in the workers, {RemoteCallbackRequests} requests");
        int all = workers.Workers.Count;
        IReadOnlyList<int> expected = workers.ProcessIds(all);
        await using var remote = new RemoteWorkerExecutor(workers.Target(all), workers.Options(LoadSubject.SlotsPerWorker(16, all)));
        await using var session = new FuturesSession(remote, options: LoadSubject.SessionOptions());
        await WaitForRemoteWorkersAsync(remote, all);
        string url = _server.Url("/get");
        var seen = new ConcurrentDictionary<int, bool>();
        var errors = new ErrorTally();
        int next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= RemoteCallbackRequests)
            {
                try
                {
                    int pid = await session.GetAsync(url, Callbacks.ProcessId).WaitAsync(s_requestTimeout);
                    seen.TryAdd(pid, true);
                    if (!expected.Contains(pid))
                    {
                        throw new InvalidOperationException($"The callback ran in process {pid}, which is not one of the remote workers ({string.Join(", ", expected)}).");
                    }
                }
                catch (Exception exception)
                {
                    errors.Add(exception);
                }
            }
        })));
        return ([.. seen.Keys.Order()], errors);
    }
}
