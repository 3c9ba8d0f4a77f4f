namespace Bench;

/// <summary>The tables of the recycling scenario.</summary>
internal static partial class Report
{
    public static void PrintRecycle(IReadOnlyList<RecycleResult> results)
    {
        foreach (RecycleResult result in results)
        {
            RecyclePoolRun first = result.Recycling;
            Console.WriteLine();
            Console.WriteLine($"## {result.Scenario}");
            Console.WriteLine();
            Console.WriteLine(
                $"Each pool fresh in each of {first.Windows} window(s) of {F(first.MeasuredSeconds / first.Windows, 1)} s{(first.Windows > 1 ? ", in the order not recycling, recycling, recycling, not recycling" : ", not recycling first")}; "
                + "latencies timed around each send. During a recycle: in flight while the pool was not at rest (from its metrics: a worker short of ready, one starting or one draining; "
                + "and from the answers: a replacement yet to answer its first request). Time in recycles: the share of the windows the pool was not at rest. "
                + "Recycles: workers that began to drain in the windows / that exited for their task limit in them. Workers seen: by the memory sampler, warm-ups included.");
            Console.WriteLine();
            Console.WriteLine(
                "| Pool | Setup | Requests | Errors | req/s (÷ not recycling) | MB/s | p50 µs | p99 µs | max µs | In flight during a recycle: requests, p50 / p99 µs | p99 µs outside recycles | "
                + "Time in recycles | Recycles | Workers seen | CPU µs/req client / workers / server | Cores client / workers / server |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach ((string name, RecyclePoolRun r) in new[] { ($"recycling every {result.Recycling.MaxTasksPerWorker}", result.Recycling), ("not recycling", result.NotRecycling) })
            {
                string ratio = ReferenceEquals(r, result.Recycling) ? $" ({F(result.RequestsPerSecondRatio, 2)}×)" : string.Empty;
                string during = r.RequestsDuringRecycles == 0 ? "0" : $"{r.RequestsDuringRecycles}, {F(r.P50DuringRecyclesMicroseconds, 0)} / {F(r.P99DuringRecyclesMicroseconds, 0)}";
                Console.WriteLine(
                    $"| {name} | {r.Setup} | {r.Requests} | {r.Errors} | {F(r.RequestsPerSecond, 0)}{ratio} | {F(r.MegabytesPerSecond, 1)} | {F(r.P50Microseconds, 0)} | {F(r.P99Microseconds, 0)} | "
                    + $"{F(r.MaxMicroseconds, 0)} | {during} | {F(r.P99OutsideRecyclesMicroseconds, 0)} | {F(100 * r.ShareOfTimeInRecycles, 0)}% | {r.RecyclesBegun} / {r.RecycleExits} | {r.WorkersSeen} | "
                    + $"{CpuPerRequest(r.Cpu)} | {Cores(r.Cpu)} |");
            }

            Console.WriteLine();
            Console.WriteLine($"Requests/s in each {F(first.BucketSeconds * 1e3, 0)} ms of the measured windows, laid end to end:");
            Console.WriteLine();
            Console.WriteLine($"- recycling: {string.Join(", ", result.Recycling.RequestsPerSecondOverTime.Select(v => F(v, 0)))}");
            Console.WriteLine($"- not recycling: {string.Join(", ", result.NotRecycling.RequestsPerSecondOverTime.Select(v => F(v, 0)))}");
            PrintErrors([("recycling", result.Recycling.ErrorCounts, result.Recycling.FirstErrorMessages), ("not recycling", result.NotRecycling.ErrorCounts, result.NotRecycling.FirstErrorMessages)]);
        }
    }
}
