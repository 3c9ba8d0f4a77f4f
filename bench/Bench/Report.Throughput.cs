namespace Bench;

/// <summary>The tables of the throughput scenarios: warm, cold and the concurrency sweep.</summary>
internal static partial class Report
{
    public static void PrintThroughput(string title, IReadOnlyList<ThroughputResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine($"{LoadHeader} Cores client / workers / server | Client RSS idle → peak MiB | Worker peak RSS MiB |");
        Console.WriteLine($"{LoadAlignment}---:|---:|---:|");
        foreach (ThroughputResult r in results)
        {
            Console.WriteLine($"{LoadCells(r)} {Cores(r.Cpu)} | {Mib(r.Rss.ClientIdleBytes)} → {Mib(r.Rss.ClientPeakBytes)} | {WorkerPeaks(r.Rss)} |");
        }

        PrintErrors(results.Select(r => (r.Executor, r.Load.ErrorCounts, r.Load.FirstErrorMessages)));
    }

    /// <summary>The columns every warm-load table starts with, up to CPU per request; rows from <see cref="LoadCells"/>.</summary>
    private const string LoadHeader = "| Executor | Setup | Requests | Errors | req/s (×raw) | MB/s (×raw) | p50 µs (+raw) | p99 µs (+raw) | CPU µs/req client / workers / server |";

    private const string LoadAlignment = "|---|---|---:|---:|---:|---:|---:|---:|---:|";

    /// <summary>One result's cells under <see cref="LoadHeader"/>, ending with a column separator.</summary>
    private static string LoadCells(ThroughputResult r)
    {
        LoadStats l = r.Load;
        return $"| {r.Executor} | {r.Setup} | {l.Requests} | {l.Errors} | {F(l.RequestsPerSecond, 0)} ({F(r.RequestsPerSecondVsRaw, 2)}×) | "
            + $"{F(l.MegabytesPerSecond, 1)} ({F(r.MegabytesPerSecondVsRaw, 2)}×) | {F(l.P50Microseconds, 0)} ({Signed(r.AddedP50Microseconds)}) | "
            + $"{F(l.P99Microseconds, 0)} ({Signed(r.AddedP99Microseconds)}) | {CpuPerRequest(r.Cpu)} |";
    }

    private static string WorkerPeaks(RssPeaks rss) => rss.WorkerPeakBytes.Count == 0 ? "–" : string.Join(", ", rss.WorkerPeakBytes.Values.Select(Mib));

    public static void PrintCold(string title, IReadOnlyList<ColdResult> results)
    {
        ColdResult first = results[0];
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine($"| Executor | Setup | First response ms | Requests in first {F(first.WindowSeconds, 0)} s | req/s first {F(first.WindowSeconds, 0)} s (×raw) | req/s over {F(first.Load.MeasuredSeconds, 0)} s | CPU µs/req client / workers / server, first {F(first.WindowSeconds, 0)} s | Cores client / workers / server | Errors |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ColdResult r in results)
        {
            Console.WriteLine(
                $"| {r.Executor} | {r.Setup} | {F(r.Load.FirstResponseMilliseconds, 0)} | {r.WindowRequests} | {F(r.WindowRequestsPerSecond, 0)} ({F(r.WindowRequestsPerSecondVsRaw, 2)}×) | "
                + $"{F(r.WholeRunRequestsPerSecond, 0)} | {CpuPerRequest(r.Cpu)} | {Cores(r.Cpu)} | {r.Load.Errors} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Requests/s in each {F(first.Load.BucketSeconds ?? 0, 1)} s from construction (the cold curve):");
        Console.WriteLine();
        foreach (ColdResult r in results)
        {
            double width = r.Load.BucketSeconds ?? 1;
            Console.WriteLine($"- {r.Executor}: {string.Join(", ", (r.Load.Buckets ?? []).Select(b => F(b / width, 0)))}");
        }

        PrintErrors(results.Select(r => (r.Executor, r.Load.ErrorCounts, r.Load.FirstErrorMessages)));
    }

    public static void PrintSweep(string title, IReadOnlyList<SweepPoint> points)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Concurrency | HttpClient (raw) req/s | ThreadPoolExecutor req/s (×raw) | ProcessPoolExecutor req/s (×raw) | ProcessPoolExecutor p50 µs | ProcessPoolExecutor CPU µs/req client / workers / server | ProcessPoolExecutor cores client / workers / server |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (IGrouping<int, SweepPoint> level in points.GroupBy(p => p.Concurrency))
        {
            SweepPoint? raw = level.FirstOrDefault(p => p.Executor == Scenarios.Raw);
            SweepPoint? thread = level.FirstOrDefault(p => p.Executor == Scenarios.ThreadPool);
            SweepPoint? process = level.FirstOrDefault(p => p.Executor == Scenarios.ProcessPool);
            Console.WriteLine(
                $"| {level.Key} | {Rate(raw, withRatio: false)} | {Rate(thread, withRatio: true)} | {Rate(process, withRatio: true)} | "
                + $"{(process is null ? "–" : F(process.Load.P50Microseconds, 0))} | {(process is null ? "–" : CpuPerRequest(process.Cpu))} | {(process is null ? "–" : Cores(process.Cpu))} |");
        }

        PrintErrors(points.Select(p => ($"{p.Executor} at concurrency {p.Concurrency}", p.Load.ErrorCounts, p.Load.FirstErrorMessages)));

        static string Rate(SweepPoint? point, bool withRatio) =>
            point is null ? "–" : withRatio ? $"{F(point.Load.RequestsPerSecond, 0)} ({F(point.RequestsPerSecondVsRaw, 2)}×)" : F(point.Load.RequestsPerSecond, 0);
    }
}
