using System.Diagnostics;
using Bench;

if (args is [RawFirstGet.Switch, string rawUrl])
{
    return await RawFirstGet.RunAsync(rawUrl);
}

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

string loadAtStart = MachineInfo.LoadAverage();
await using BenchServer server = await BenchServer.StartAsync(settings);
var scenarios = new Scenarios(server, settings);
MachineInfo machine = MachineInfo.Collect();
Report.PrintMachine(machine, settings, server.Description, loadAtStart);
await scenarios.WarmUpServerAsync();

var throughput = new List<ThroughputResult>();
if (settings.Runs(ScenarioNames.Throughput))
{
    (string Title, string Path, int Length, int Concurrency)[] loads =
    [
        ("1. Small body, warm: GET /bytes/100, concurrency 1", Scenarios.SmallPath, 100, 1),
        ("1. Small body, warm: GET /bytes/100, concurrency 16", Scenarios.SmallPath, 100, 16),
        ("2. 1 MiB body, warm: GET /bytes/1048576, concurrency 4", Scenarios.MebibytePath, 1048576, 4),
    ];
    foreach ((string title, string path, int length, int concurrency) in loads)
    {
        List<ThroughputResult> results = await scenarios.ThroughputAsync(title, path, length, concurrency);
        Report.PrintThroughput(title, results);
        throughput.AddRange(results);
    }
}

List<ColdResult> cold = [];
if (settings.Runs(ScenarioNames.Cold))
{
    cold = await scenarios.ColdAsync();
    Report.PrintCold($"3. Cold: a fresh executor from construction, GET /bytes/100, concurrency {Scenarios.ColdConcurrency}", cold);
}

List<SweepPoint> sweep = [];
if (settings.Runs(ScenarioNames.Sweep))
{
    sweep = await scenarios.SweepAsync();
    Report.PrintSweep("4. Concurrency sweep, warm: GET /bytes/100", sweep);
}

List<PoolStartResult> poolStart = [];
if (settings.Runs(ScenarioNames.PoolStart))
{
    poolStart = await scenarios.PoolStartAsync();
    Report.PrintPoolStart($"5. Pool start (median of {settings.PoolStartRuns} run(s); from `new ProcessPoolExecutor(n)`)", poolStart);
}

List<MemoryResult> memory = [];
if (settings.Runs(ScenarioNames.Memory))
{
    memory = await scenarios.MemoryAsync();
    Report.PrintMemory($"6. Memory: {settings.Downloads} downloads of 10 MiB, SHA-256 only kept, concurrency 2", memory);
}

List<BigBodyResult> bigBodies = [];
if (settings.Runs(ScenarioNames.BigBody))
{
    bigBodies = await scenarios.BigBodyAsync();
    Report.PrintBigBodies($"7. Big body: one GET /bytes/{settings.BigBodyLength} ({Report.Size(settings.BigBodyLength)}) at a time; memory sampled every 50 ms; ×raw: to the faster of raw HttpClient's two runs, first and last", bigBodies);
}

RequestsFuturesResult? requestsFutures = null;
if (settings.Runs(ScenarioNames.RequestsFutures))
{
    requestsFutures = await scenarios.RequestsFuturesAsync();
    ThroughputResult? ours = throughput.FirstOrDefault(t => t.Executor == Scenarios.ProcessPool && t.PathAndQuery == Scenarios.SmallPath && t.Load.Concurrency == Scenarios.RequestsFuturesConcurrency);
    Report.PrintRequestsFutures($"8. requests-futures' ProcessPoolExecutor on the same server: GET /bytes/100, concurrency {Scenarios.RequestsFuturesConcurrency}", requestsFutures, ours);
}

RemoteResult? remote = null;
if (settings.Runs(ScenarioNames.Remote))
{
    remote = await scenarios.RemoteAsync();
    Report.PrintRemote(remote);
}

List<TracingResult> tracing = [];
if (settings.Runs(ScenarioNames.Tracing))
{
    tracing = await scenarios.TracingAsync();
    Report.PrintTracing(tracing);
}

WorkerStartResult? workerStart = null;
if (settings.Runs(ScenarioNames.WorkerStart))
{
    workerStart = await scenarios.WorkerStartAsync();
    Report.PrintWorkerStart($"12. Worker start: a 1-worker pool, one {workerStart.Request} sent at once (median of {settings.WorkerStartRuns} run(s))", workerStart);
}

List<RecycleResult> recycle = [];
if (settings.Runs(ScenarioNames.Recycle))
{
    recycle = await scenarios.RecycleAsync();
    Report.PrintRecycle(recycle);
}

double wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
var report = new BenchReport(
    startedUtc, settings.Quick, settings.WarmUp.TotalSeconds, settings.Measure.TotalSeconds, machine, server.Description, loadAtStart, MachineInfo.LoadAverage(),
    throughput, cold, sweep, poolStart, memory, bigBodies, requestsFutures, wallSeconds)
{
    Remote = remote,
    Tracing = tracing,
    WorkerStart = workerStart,
    Recycle = recycle,
};
report = report with { Targets = Targets.Check(report) };
Report.PrintTargets($"14. Targets ({(settings.Quick ? "quick run: windows too short to judge; " : string.Empty)}ratios to raw HttpClient, or to the same pool without recycling, in this run)", report.Targets);

List<string> charts = Charts.Render(report, settings.ChartsDirectory);
await Report.WriteJsonAsync(report, settings.OutputPath);
Console.WriteLine();
Console.WriteLine($"Load average at end {report.LoadAverageAtEnd}. Wall time {wallSeconds:F1} s (after start-up); figures written to {settings.OutputPath}");
Console.WriteLine(charts.Count > 0 ? $"Charts: {string.Join(", ", charts)}" : "Charts rendered, not written (a quick run writes them only with --charts DIR).");
if (report.FailedRequests > 0)
{
    Console.Error.WriteLine($"{report.FailedRequests} request(s) failed; see the errors under the tables.");
    return 1;
}

return 0;

// A hang must not outlive the benchmark: past the limit, say so and exit (workers follow their parent).
static async Task AbandonAfterAsync(TimeSpan limit)
{
    await Task.Delay(limit);
    Console.Error.WriteLine($"The benchmark did not finish within {limit.TotalMinutes} minutes; abandoning it.");
    Environment.Exit(3);
}
