using System.Diagnostics;
using Bench;
using HttpBin;

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

DateTime startedUtc = DateTime.UtcNow;
long started = Stopwatch.GetTimestamp();
_ = AbandonAfterAsync(settings.Watchdog);

await using HttpBinServer server = await HttpBinServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
var scenarios = new Scenarios(server, settings);
MachineInfo machine = MachineInfo.Collect();
Report.PrintMachine(machine, settings);
await scenarios.WarmUpServerAsync();

var throughput = new List<ThroughputResult>();
(string Title, string Path, int Length, int Concurrency)[] loads =
[
    ("1. Small body: GET /bytes/100, concurrency 1", "/bytes/100?seed=1", 100, 1),
    ("1. Small body: GET /bytes/100, concurrency 16", "/bytes/100?seed=1", 100, 16),
    ("2. 1 MiB body: GET /bytes/1048576, concurrency 4", "/bytes/1048576?seed=2", 1048576, 4),
];
foreach ((string title, string path, int length, int concurrency) in loads)
{
    List<ThroughputResult> results = await scenarios.ThroughputAsync(title, path, length, concurrency);
    Report.PrintThroughput(title, results);
    throughput.AddRange(results);
}

List<PoolStartResult> poolStart = await scenarios.PoolStartAsync();
Report.PrintPoolStart(poolStart, settings.PoolStartRuns);

List<MemoryResult> memory = await scenarios.MemoryAsync();
Report.PrintMemory(memory);

double wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
var report = new BenchReport(startedUtc, settings.Quick, settings.WarmUp.TotalSeconds, settings.Measure.TotalSeconds, machine, throughput, poolStart, memory, wallSeconds);
await Report.WriteJsonAsync(report, settings.OutputPath);
Console.WriteLine();
Console.WriteLine($"Wall time {wallSeconds:F1} s (after start-up); figures written to {settings.OutputPath}");
return 0;

// A hang must not outlive the benchmark: past the limit, say so and exit (workers follow their parent).
static async Task AbandonAfterAsync(TimeSpan limit)
{
    await Task.Delay(limit);
    Console.Error.WriteLine($"The benchmark did not finish within {limit.TotalMinutes} minutes; abandoning it.");
    Environment.Exit(3);
}
