namespace Bench;

/// <summary>The tables of pool start-up and memory.</summary>
internal static partial class Report
{
    public static void PrintPoolStart(string title, IReadOnlyList<PoolStartResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Workers | First response ms | All workers ready ms | All workers answering ms | First response, each run ms | All ready, each run ms | All answering, each run ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (PoolStartResult r in results)
        {
            Console.WriteLine(
                $"| {r.Workers} | {F(r.MedianFirstResponseMilliseconds, 0)} | {F(r.MedianAllReadyMilliseconds, 0)} | {F(r.MedianAllAnsweringMilliseconds, 0)} | "
                + $"{Each(r.FirstResponseMilliseconds)} | {Each(r.AllReadyMilliseconds)} | {Each(r.AllAnsweringMilliseconds)} |");
        }

        static string Each(IReadOnlyList<double> values) => string.Join(", ", values.Select(v => F(v, 0)));
    }

    public static void PrintMemory(string title, IReadOnlyList<MemoryResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Executor | Setup | Errors | Time s | MB/s | Client idle MiB | Client peak MiB | Client growth MiB | Worker peak RSS MiB | Workers seen |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (MemoryResult r in results)
        {
            string worker = r.WorkersSeen == 0 ? "–" : Mib(r.Rss.WorkerPeakMaxBytes);
            Console.WriteLine(
                $"| {r.Executor} | {r.Setup} | {r.Errors} | {F(r.Seconds, 2)} | {F(r.MegabytesPerSecond, 0)} | {Mib(r.Rss.ClientIdleBytes)} | "
                + $"{Mib(r.Rss.ClientPeakBytes)} | {Mib(r.Rss.ClientGrowthBytes)} | {worker} | {r.WorkersSeen} |");
        }

        PrintErrors(results.Select(r => (r.Executor, r.ErrorCounts, r.FirstErrorMessages)));
    }
}
