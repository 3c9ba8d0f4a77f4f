using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Bench;

/// <summary>Markdown tables on stdout, and the JSON file; this file holds the header, the helpers and the JSON.</summary>
internal static partial class Report
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        // Setups read "2 workers × ...": keep the × readable in the file.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        // Percentiles and ratios are NaN when a run completed no request: write them, do not fail.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void PrintMachine(MachineInfo machine, BenchSettings settings, string server, string loadAverage)
    {
        Console.WriteLine("# ProcessFutures benchmark");
        Console.WriteLine();
        Console.WriteLine($"- Machine: {machine.CpuModel}, {machine.ProcessorCount} logical CPUs, {Mib(machine.TotalMemoryBytes)} MiB RAM; load average at start {loadAverage}");
        Console.WriteLine($"- OS: {machine.OSDescription}; runtime: {machine.FrameworkDescription}; client GC: {(machine.ServerGC ? "server" : "workstation")}, {(machine.ConcurrentGC ? "concurrent" : "non-concurrent")}");
        Console.WriteLine(
            $"- Mode: {(settings.Quick ? "quick" : "full")}; closed loops; warm: warm-up {S(settings.WarmUp)} s, measure {S(settings.Measure)} s; "
            + $"cold: {S(settings.ColdRun)} s from construction, ratio over the first {S(settings.ColdWindow)} s; sweep: warm-up {S(settings.SweepWarmUp)} s, measure {S(settings.SweepMeasure)} s");
        Console.WriteLine($"- Server: HttpBin in {server}");
        Console.WriteLine("- CPU: user + system seconds from /proc/<pid>/stat over the measured window, per request (µs) and as cores kept busy, for client / workers / server");
        Console.WriteLine("- MB = 10^6 bytes, MiB = 2^20 bytes; ×raw = ratio to raw HttpClient in this run; (+n) = added latency over raw, µs");
    }

    public static async Task WriteJsonAsync(BenchReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using FileStream file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, s_json).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>"4 GiB", "64 MiB": a byte count that is a whole number of GiB or MiB, else in bytes.</summary>
    public static string Size(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : $"{bytes:N0} bytes";

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

    /// <summary>"client / workers / server" microseconds of CPU per request; – where there is no such process.</summary>
    private static string CpuPerRequest(CpuUsage cpu) =>
        $"{F(cpu.ClientMicrosecondsPerRequest, 0)} / {Opt(cpu.WorkerMicrosecondsPerRequest, 0)} / {Opt(cpu.ServerMicrosecondsPerRequest, 0)}";

    /// <summary>"client / workers / server" cores kept busy.</summary>
    private static string Cores(CpuUsage cpu) =>
        $"{F(cpu.ClientCores, 2)} / {Opt(cpu.WorkerCores, 2)} / {Opt(cpu.ServerCores, 2)}";

    private static string Opt(double? value, int decimals) => value is { } v ? F(v, decimals) : "–";

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string S(TimeSpan span) => F(span.TotalSeconds, span.TotalSeconds % 1 == 0 ? 0 : 1);

    private static string Signed(double value) => (value >= 0 ? "+" : string.Empty) + F(value, 0);

    private static string Mib(long bytes) => F(bytes / 1048576.0, 0);

    private static string Mb(long bytes) => F(bytes / 1e6, 1);
}
