using System.Globalization;
using ProcessFutures;

namespace Bench;

/// <summary>The targets of the issues (ratios to raw HttpClient in the same run, memory bounds, start-up), checked against one run.</summary>
internal static class Targets
{
    private const double Megabyte = 1e6;

    public static List<TargetCheck> Check(BenchReport report)
    {
        var checks = new List<TargetCheck>();
        ThroughputResult? Warm(string executor, string path, int concurrency) =>
            report.Throughput.FirstOrDefault(t => t.Executor == executor && t.PathAndQuery == path && t.Load.Concurrency == concurrency);

        ThroughputResult? processSmall16 = Warm(Scenarios.ProcessPool, Scenarios.SmallPath, 16);
        Ratio(checks, "ProcessPoolExecutor, warm, small body, c=16: req/s ≥ 0.45× raw", processSmall16?.RequestsPerSecondVsRaw, 0.45);
        Ratio(checks, "ProcessPoolExecutor, warm, 1 MiB, c=4: MB/s ≥ 0.7× raw", Warm(Scenarios.ProcessPool, Scenarios.MebibytePath, 4)?.MegabytesPerSecondVsRaw, 0.7);
        AtMost(checks, "ProcessPoolExecutor, warm, small body, c=1: added p50 ≤ 110 µs", Warm(Scenarios.ProcessPool, Scenarios.SmallPath, 1)?.AddedP50Microseconds, 110, "µs");

        ColdResult? cold = report.Cold.FirstOrDefault(c => c.Executor == Scenarios.ProcessPool);
        Ratio(checks, $"ProcessPoolExecutor, cold (first {F(cold?.WindowSeconds ?? 2, 0)} s of a fresh {Scenarios.PoolWorkers}-worker pool), small body, c={Scenarios.ColdConcurrency}: req/s ≥ 0.3× raw (cold)", cold?.WindowRequestsPerSecondVsRaw, 0.3);

        PoolStartResult? four = report.PoolStart.FirstOrDefault(p => p.Workers == 4 && p.Transport == nameof(WorkerTransport.Socket));
        AtMost(checks, "4 workers, construction → all answering (median): ≤ 350 ms", four?.MedianAllAnsweringMilliseconds, 350, "ms");
        AtMost(checks, "Worker CPU (user + system) from exec to first answer (median): ≤ 80 ms", report.WorkerStart?.MedianCpuToFirstAnswerMilliseconds, 80, "ms");

        RecycleResult? recycleSmall = report.Recycle.FirstOrDefault(r => r.PathAndQuery == Scenarios.SmallPath);
        string every = $"recycling every {recycleSmall?.Recycling.MaxTasksPerWorker ?? 500} tasks, small body, c={Scenarios.RecycleSmallConcurrency}";
        Ratio(checks, $"ProcessPoolExecutor {every}: req/s ≥ 0.6× the same pool without recycling", recycleSmall?.RequestsPerSecondRatio, 0.6);
        AtMost(checks, $"ProcessPoolExecutor {every}: p99 of requests in flight during a recycle ≤ 20 ms", recycleSmall?.Recycling.P99DuringRecyclesMicroseconds / 1e3, 20, "ms");

        Ratio(checks, "ThreadPoolExecutor, warm, small body, c=1: req/s ≥ 0.9× raw", Warm(Scenarios.ThreadPool, Scenarios.SmallPath, 1)?.RequestsPerSecondVsRaw, 0.9);
        Ratio(checks, "ThreadPoolExecutor, warm, small body, c=16: req/s ≥ 0.9× raw", Warm(Scenarios.ThreadPool, Scenarios.SmallPath, 16)?.RequestsPerSecondVsRaw, 0.9);
        Ratio(checks, "ThreadPoolExecutor, warm, 1 MiB, c=4: MB/s ≥ 0.95× raw", Warm(Scenarios.ThreadPool, Scenarios.MebibytePath, 4)?.MegabytesPerSecondVsRaw, 0.95);

        string size = report.BigBodies.Count > 0 ? Report.Size(report.BigBodies[0].BodyBytes) : "4 GiB";
        BigBodyResult? download = report.BigBodies.FirstOrDefault(b => b.Case == Scenarios.BigProcessDownload);
        Ratio(checks, $"{size} DownloadTo through the pool: MB/s ≥ 0.8× raw HttpClient to a file", download?.MegabytesPerSecondVsRaw, 0.8);
        AtMost(checks, $"{size} DownloadTo through the pool: caller growth ≤ 32 MB", download?.Rss.ClientGrowthBytes / Megabyte, 32, "MB");
        AtMost(checks, $"{size} DownloadTo through the pool: worker growth ≤ 64 MB", download?.Rss.WorkerGrowthMaxBytes / Megabyte, 64, "MB");
        BigBodyResult? hash = report.BigBodies.FirstOrDefault(b => b.Case == Scenarios.BigProcessHash);
        AtMost(checks, $"{size} streaming SHA-256 in a worker: caller growth ≤ 32 MB", hash?.Rss.ClientGrowthBytes / Megabyte, 32, "MB");
        AtMost(checks, $"{size} streaming SHA-256 in a worker: worker growth ≤ 64 MB", hash?.Rss.WorkerGrowthMaxBytes / Megabyte, 64, "MB");

        RequestsFuturesResult? theirs = report.RequestsFutures;
        double? versus = theirs is { Ran: true } && processSmall16 is not null ? processSmall16.Load.RequestsPerSecond / theirs.RequestsPerSecond : null;
        if (theirs is { Ran: false, SkipReason: { } reason })
        {
            checks.Add(new TargetCheck("ProcessPoolExecutor vs requests-futures' ProcessPoolExecutor, small body, c=16: req/s ≥ 10×", reason, null));
        }
        else
        {
            Ratio(checks, "ProcessPoolExecutor vs requests-futures' ProcessPoolExecutor, small body, c=16: req/s ≥ 10×", versus, 10);
        }

        return checks;
    }

    private static void Ratio(List<TargetCheck> checks, string target, double? measured, double atLeast) =>
        checks.Add(measured is { } value && !double.IsNaN(value)
            ? new TargetCheck(target, $"{F(value, 2)}×", value >= atLeast)
            : new TargetCheck(target, "not measured", null));

    private static void AtMost(List<TargetCheck> checks, string target, double? measured, double atMost, string unit) =>
        checks.Add(measured is { } value && !double.IsNaN(value)
            ? new TargetCheck(target, $"{F(value, value < 100 ? 1 : 0)} {unit}", value <= atMost)
            : new TargetCheck(target, "not measured", null));

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
