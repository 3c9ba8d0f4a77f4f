using System.Diagnostics;

namespace Bench;

/// <summary>
/// The cold regime: a fresh executor (a new HttpClient, a new ThreadPoolExecutor, a new pool whose
/// workers have yet to start) loaded from its construction, as a user's first seconds are.
/// </summary>
internal sealed partial class Scenarios
{
    public const string ColdPath = SmallPath;
    public const int ColdConcurrency = 16;

    /// <summary>
    /// For each executor: builds it and at once starts <see cref="ColdConcurrency"/> loops on a
    /// small body for <see cref="BenchSettings.ColdRun"/>, counting completions in
    /// <see cref="BenchSettings.ColdBucket"/> buckets from construction; the ratio is taken over
    /// the first <see cref="BenchSettings.ColdWindow"/>, with CPU read over the same window.
    /// </summary>
    public async Task<List<ColdResult>> ColdAsync()
    {
        string url = _server.Url(ColdPath);
        var measured = new List<(string Executor, string Setup, LoadStats Load, long WindowRequests, CpuUsage Cpu)>();
        TimeSpan window = _settings.ColdWindow < _settings.ColdRun ? _settings.ColdWindow : _settings.ColdRun;
        int windowBuckets = (int)Math.Round(window / BenchSettings.ColdBucket);
        foreach (string executor in LoadSubject.ExecutorsAndGrpcPool)
        {
            Progress($"cold: {executor}, {_settings.ColdRun.TotalSeconds} s from construction");
            RssSampler.ClientIdleBytes();
            long start = Stopwatch.GetTimestamp();
            await using LoadSubject subject = LoadSubject.Create(executor, ColdConcurrency, PoolWorkers, url, expectedLength: 100);
            Task<(CpuSnapshot Before, CpuSnapshot After)> cpu = CpuWindow.ReadAsync(start, start + (long)(window.TotalSeconds * Stopwatch.Frequency), _server.ProcessId, subject.WorkerIds);
            LoadStats load = await LoadRunner.RunAsync(ColdConcurrency, TimeSpan.Zero, _settings.ColdRun, s_requestTimeout, subject.SendAsync, start, BenchSettings.ColdBucket);
            long windowRequests = load.Buckets!.Take(windowBuckets).Sum();
            (CpuSnapshot before, CpuSnapshot after) = await cpu.WaitAsync(s_requestTimeout);
            measured.Add((subject.Executor, subject.Setup, load, windowRequests, after.Since(before, windowRequests / window.TotalSeconds)));
        }

        double rawWindow = measured[0].WindowRequests / window.TotalSeconds;
        return
        [
            .. measured.Select(m => new ColdResult(
                m.Executor,
                m.Setup,
                ColdConcurrency,
                window.TotalSeconds,
                m.WindowRequests,
                m.WindowRequests / window.TotalSeconds,
                m.WindowRequests / window.TotalSeconds / rawWindow,
                m.Load.RequestsPerSecond,
                m.Load,
                m.Cpu)),
        ];
    }
}
