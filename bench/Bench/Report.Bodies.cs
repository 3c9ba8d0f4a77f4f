namespace Bench;

/// <summary>The tables of pool start-up, worker start, memory, and big bodies.</summary>
internal static partial class Report
{
    public static void PrintPoolStart(string title, IReadOnlyList<PoolStartResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Workers | Transport | First response ms | All workers ready ms | All workers answering ms | First response, each run ms | All ready, each run ms | All answering, each run ms |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (PoolStartResult r in results)
        {
            Console.WriteLine(
                $"| {r.Workers} | {r.Transport} | {F(r.MedianFirstResponseMilliseconds, 0)} | {F(r.MedianAllReadyMilliseconds, 0)} | {F(r.MedianAllAnsweringMilliseconds, 0)} | "
                + $"{Each(r.FirstResponseMilliseconds)} | {Each(r.AllReadyMilliseconds)} | {Each(r.AllAnsweringMilliseconds)} |");
        }

        static string Each(IReadOnlyList<double> values) => string.Join(", ", values.Select(v => F(v, 0)));
    }

    public static void PrintWorkerStart(string title, WorkerStartResult result)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine(
            "Worker CPU: user + system of its /proc/<pid>/stat (10 ms ticks), from its exec; its age from its starttime against /proc/uptime (10 ms steps). "
            + "After its first answer the worker idles: its first second is its start, one request, and what its runtime does after (tiered JIT). "
            + "The floor: a fresh .NET process that sends the same GET with a raw HttpClient, its CPU at the answer.");
        Console.WriteLine();
        Console.WriteLine("| Run | Worker pid | Construction → first answer ms | Worker age at first answer ms | Worker CPU to first answer ms (user + system) | Worker CPU over its first second ms (user + system) | Raw HttpClient process: CPU to its first answer ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        int number = 0;
        foreach (WorkerStartRun r in result.Runs)
        {
            Console.WriteLine(
                $"| {++number} | {r.ProcessId} | {F(r.FirstAnswerMilliseconds, 0)} | {F(r.AgeAtFirstAnswerMilliseconds, 0)} | "
                + $"{F(r.CpuToFirstAnswerMilliseconds, 0)} ({F(r.UserToFirstAnswerMilliseconds, 0)} + {F(r.SystemToFirstAnswerMilliseconds, 0)}) | "
                + $"{F(r.CpuFirstSecondMilliseconds, 0)} ({F(r.UserFirstSecondMilliseconds, 0)} + {F(r.SystemFirstSecondMilliseconds, 0)}) | {F(r.RawFirstGetCpuMilliseconds, 0)} |");
        }

        Console.WriteLine(
            $"| median | | {F(result.MedianFirstAnswerMilliseconds, 0)} | {F(result.MedianAgeAtFirstAnswerMilliseconds, 0)} | "
            + $"{F(result.MedianCpuToFirstAnswerMilliseconds, 0)} | {F(result.MedianCpuFirstSecondMilliseconds, 0)} | {F(result.MedianRawFirstGetCpuMilliseconds, 0)} |");
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

    public static void PrintBigBodies(string title, IReadOnlyList<BigBodyResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Case | Setup | Errors | Time s | MB/s (×raw) | Caller RSS idle → peak MiB | Caller growth MB | Worker RSS start → peak MiB | Worker growth MB | Cores client / workers / server | SHA-256 |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (BigBodyResult r in results)
        {
            bool hasWorker = r.Rss.WorkerPeakBytes.Count > 0;
            string workerRange = hasWorker
                ? string.Join(", ", r.Rss.WorkerPeakBytes.Select(w => $"{Mib(r.Rss.WorkerFirstBytes.GetValueOrDefault(w.Key))} → {Mib(w.Value)}"))
                : "–";
            Console.WriteLine(
                $"| {r.Case} | {r.Setup} | {r.Errors} | {F(r.Seconds, 2)} | {F(r.MegabytesPerSecond, 0)} ({F(r.MegabytesPerSecondVsRaw, 2)}×) | "
                + $"{Mib(r.Rss.ClientIdleBytes)} → {Mib(r.Rss.ClientPeakBytes)} | {Mb(r.Rss.ClientGrowthBytes)} | {workerRange} | {(hasWorker ? Mb(r.Rss.WorkerGrowthMaxBytes) : "–")} | "
                + $"{Cores(r.Cpu)} | {(r.Sha256Matches ? "matches" : "WRONG")} |");
        }

        foreach (BigBodyResult r in results.Where(r => r.FirstError is not null))
        {
            Console.WriteLine();
            Console.WriteLine($"Error of {r.Case}: {r.FirstError}");
        }
    }
}
