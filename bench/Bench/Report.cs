using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Bench;

/// <summary>Markdown tables on stdout, and the JSON file.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        // Setups read "2 workers × ...": keep the × readable in the file.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        // Percentiles and ratios are NaN when a run completed no request: write them, do not fail.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void PrintMachine(MachineInfo machine, BenchSettings settings)
    {
        Console.WriteLine("# ProcessFutures benchmark");
        Console.WriteLine();
        Console.WriteLine($"- Machine: {machine.CpuModel}, {machine.ProcessorCount} logical CPUs, {Mib(machine.TotalMemoryBytes)} MiB RAM");
        Console.WriteLine($"- OS: {machine.OSDescription}; runtime: {machine.FrameworkDescription}; client GC: {(machine.ServerGC ? "server" : "workstation")}, {(machine.ConcurrentGC ? "concurrent" : "non-concurrent")}");
        Console.WriteLine($"- Mode: {(settings.Quick ? "quick" : "full")}; closed loop, warm-up {settings.WarmUp.TotalSeconds} s, measure {settings.Measure.TotalSeconds} s; the HTTP server runs in the client process");
        Console.WriteLine("- MB = 10^6 bytes, MiB = 2^20 bytes; ×raw = ratio to raw HttpClient in this run; (+n) = added latency over raw, µs");
    }

    public static void PrintThroughput(string title, IReadOnlyList<ThroughputResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Executor | Setup | Requests | Errors | req/s (×raw) | MB/s (×raw) | p50 µs (+raw) | p99 µs (+raw) | Client RSS idle → peak MiB | Worker peak RSS MiB |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ThroughputResult r in results)
        {
            LoadStats l = r.Load;
            string workers = r.Rss.WorkerPeakBytes.Count == 0 ? "–" : string.Join(", ", r.Rss.WorkerPeakBytes.Values.Select(Mib));
            Console.WriteLine(
                $"| {r.Executor} | {r.Setup} | {l.Requests} | {l.Errors} | {F(l.RequestsPerSecond, 0)} ({F(r.RequestsPerSecondVsRaw, 2)}×) | "
                + $"{F(l.MegabytesPerSecond, 1)} ({F(r.MegabytesPerSecondVsRaw, 2)}×) | {F(l.P50Microseconds, 0)} ({Signed(r.AddedP50Microseconds)}) | "
                + $"{F(l.P99Microseconds, 0)} ({Signed(r.AddedP99Microseconds)}) | {Mib(r.Rss.ClientIdleBytes)} → {Mib(r.Rss.ClientPeakBytes)} | {workers} |");
        }

        PrintErrors(results.Select(r => (r.Executor, r.Load.ErrorCounts, r.Load.FirstErrorMessages)));
    }

    public static void PrintPoolStart(IReadOnlyList<PoolStartResult> results, int runs)
    {
        Console.WriteLine();
        Console.WriteLine($"## 3. Pool start (median of {runs} run(s); from `new ProcessPoolExecutor(n)`)");
        Console.WriteLine();
        Console.WriteLine("| Workers | First response ms | All workers ready ms | First response, each run ms | All ready, each run ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (PoolStartResult r in results)
        {
            Console.WriteLine(
                $"| {r.Workers} | {F(r.MedianFirstResponseMilliseconds, 0)} | {F(r.MedianAllReadyMilliseconds, 0)} | "
                + $"{string.Join(", ", r.FirstResponseMilliseconds.Select(v => F(v, 0)))} | {string.Join(", ", r.AllReadyMilliseconds.Select(v => F(v, 0)))} |");
        }
    }

    public static void PrintMemory(IReadOnlyList<MemoryResult> results)
    {
        MemoryResult first = results[0];
        Console.WriteLine();
        Console.WriteLine($"## 4. Memory: {first.Downloads} downloads of 10 MiB, SHA-256 only kept, concurrency 2");
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

    public static async Task WriteJsonAsync(BenchReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using FileStream file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, s_json).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static void PrintErrors(IEnumerable<(string Executor, IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, string> FirstMessages)> errors)
    {
        foreach ((string executor, IReadOnlyDictionary<string, long> counts, IReadOnlyDictionary<string, string> messages) in errors.Where(e => e.Counts.Count > 0))
        {
            Console.WriteLine();
            Console.WriteLine($"Errors of {executor}:");
            foreach ((string type, long count) in counts)
            {
                Console.WriteLine($"- {count} × {type}, first: {messages[type]}");
            }
        }
    }

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Signed(double value) => (value >= 0 ? "+" : string.Empty) + F(value, 0);

    private static string Mib(long bytes) => F(bytes / 1048576.0, 0);
}
