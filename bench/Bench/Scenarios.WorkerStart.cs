using System.Diagnostics;
using ProcessFutures;

namespace Bench;

/// <summary>What one worker costs to start: CPU from exec to its first answer, and over its first second.</summary>
internal sealed partial class Scenarios
{
    public const string WorkerStartPath = "/get";

    private static readonly TimeSpan s_firstSecond = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <see cref="BenchSettings.WorkerStartRuns"/> times, one after another: a 1-worker pool (the
    /// defaults) and a session, one GET sent as soon as they exist; at its answer, the worker's
    /// CPU and age are read from /proc, and its CPU again when it is 1 s old (having served that
    /// one request and idled since). Then, as the floor, a fresh process's CPU to one raw
    /// HttpClient GET of the same URL. The four-workers figure is the pool-start scenario's.
    /// </summary>
    public async Task<WorkerStartResult> WorkerStartAsync()
    {
        var runs = new List<WorkerStartRun>(_settings.WorkerStartRuns);
        for (int run = 0; run < _settings.WorkerStartRuns; run++)
        {
            Progress($"worker start: run {run + 1} of {_settings.WorkerStartRuns}");
            runs.Add(await StartOneWorkerAsync());
        }

        return new WorkerStartResult(
            $"GET {WorkerStartPath}",
            runs,
            MedianOf(runs.Select(r => r.FirstAnswerMilliseconds)),
            MedianOf(runs.Select(r => r.AgeAtFirstAnswerMilliseconds)),
            MedianOf(runs.Select(r => r.CpuToFirstAnswerMilliseconds)),
            MedianOf(runs.Select(r => r.CpuFirstSecondMilliseconds)),
            MedianOf(runs.Select(r => r.RawFirstGetCpuMilliseconds)));
    }

    /// <summary>The median of the values that are not NaN; NaN when none is.</summary>
    private static double MedianOf(IEnumerable<double> values)
    {
        List<double> measured = [.. values.Where(v => !double.IsNaN(v))];
        return measured.Count == 0 ? double.NaN : Median(measured);
    }

    private async Task<WorkerStartRun> StartOneWorkerAsync()
    {
        string url = _server.Url(WorkerStartPath);
        long start = Stopwatch.GetTimestamp();
        await using var pool = new ProcessPoolExecutor(1);
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        Response response = await session.GetAsync(url).WaitAsync(s_workersReadyTimeout);
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        int pid = response.ProcessId;
        CpuTimes? atFirst = ProcessCpu.Times(pid);
        double? age = ProcessCpu.AgeSeconds(pid);
        response.EnsureSuccessStatusCode();

        CpuTimes? atSecond = null;
        if (age is { } seconds && seconds < s_firstSecond.TotalSeconds)
        {
            await Task.Delay(s_firstSecond - TimeSpan.FromSeconds(seconds));
            atSecond = ProcessCpu.Times(pid);
        }

        double raw = await RawFirstGet.MeasureAsync(url, s_workersReadyTimeout);
        return new WorkerStartRun(
            pid,
            firstMs,
            Ms(age),
            Ms(atFirst?.UserSeconds),
            Ms(atFirst?.SystemSeconds),
            Ms(atSecond?.UserSeconds),
            Ms(atSecond?.SystemSeconds),
            raw);

        static double Ms(double? seconds) => seconds is { } value ? value * 1e3 : double.NaN;
    }
}
