using System.Globalization;

namespace Bench;

/// <summary>What one run measures and for how long: the full run, or a quick one (<c>--quick</c>), and against which server.</summary>
internal sealed record BenchSettings
{
    public const string Usage =
        "Usage: Bench [--quick] [--out path.json] [--server process|in-process] [--pin-server CPUS] [--charts DIR] [--python PATH] [--only NAME,...]\n"
        + "  NAME: " + ScenarioNames.All;

    public required bool Quick { get; init; }

    /// <summary>Warm regime: warm-up, then the measured window.</summary>
    public required TimeSpan WarmUp { get; init; }

    public required TimeSpan Measure { get; init; }

    /// <summary>Cold regime: how long a fresh executor is loaded from its construction (the curve), and the window its ratio is taken over.</summary>
    public required TimeSpan ColdRun { get; init; }

    public required TimeSpan ColdWindow { get; init; }

    public static TimeSpan ColdBucket => TimeSpan.FromSeconds(0.5);

    /// <summary>Concurrency sweep: the levels, and the warm-up and window of each.</summary>
    public required int[] SweepConcurrencies { get; init; }

    public required TimeSpan SweepWarmUp { get; init; }

    public required TimeSpan SweepMeasure { get; init; }

    public required int PoolStartRuns { get; init; }

    /// <summary>
    /// The warm regime of the remote and tracing comparisons: the warm one in a full run; shorter
    /// in a quick run, where they come last and must keep it near a minute.
    /// </summary>
    public required TimeSpan ComparisonWarmUp { get; init; }

    public required TimeSpan ComparisonMeasure { get; init; }

    public required int Downloads { get; init; }

    /// <summary>Worker start: how many 1-worker pools are started, one after another (the median is reported).</summary>
    public required int WorkerStartRuns { get; init; }

    /// <summary>
    /// The recycling scenario: MaxTasksPerWorker of the small-body load (500, the issue's figure,
    /// in a quick run too: lower, its pool spends its short window restarting and serves nothing)
    /// and of the 10 MiB load (50; 20 in a quick run, so that its short window sees a recycle).
    /// </summary>
    public required int RecycleSmallTasks { get; init; }

    public required int RecycleBigTasks { get; init; }

    /// <summary>
    /// The recycling scenario: how many windows each pool is measured in, each on a fresh pool, in
    /// the order not recycling, recycling, recycling, not recycling (2), so that drift weighs on
    /// both alike; 1: not recycling, then recycling. Each window is <see cref="ComparisonMeasure"/>
    /// divided by this, after <see cref="ComparisonWarmUp"/>.
    /// </summary>
    public required int RecycleWindows { get; init; }

    /// <summary>The recycling scenario: the width of the buckets of requests/s over time (the chart).</summary>
    public required TimeSpan RecycleBucket { get; init; }

    public required int MaxTasksPerWorker { get; init; }

    /// <summary>The body of the big-body scenario: 4 GiB, or 64 MiB in a quick run.</summary>
    public required long BigBodyLength { get; init; }

    public required string OutputPath { get; init; }

    /// <summary>Where charts are written; null: rendered (to check they can be) but not written. Default: bench/results in a full run, none in a quick one.</summary>
    public required string? ChartsDirectory { get; init; }

    /// <summary>Run the HttpBin server inside the bench process instead of as its own process.</summary>
    public bool InProcessServer { get; init; }

    /// <summary>A taskset CPU list for the server process; null: not pinned (the default).</summary>
    public string? PinServerCpus { get; init; }

    /// <summary>The Python interpreter for the requests-futures comparison; null: the first of python3, /usr/bin/python3 that has it.</summary>
    public string? Python { get; init; }

    /// <summary>The scenarios to run (see <see cref="ScenarioNames"/>).</summary>
    public required IReadOnlySet<string> Scenarios { get; init; }

    /// <summary>Past this, the whole run is abandoned: a hang must not outlive the benchmark.</summary>
    public TimeSpan Watchdog => Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(30);

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Reads the arguments (see <see cref="Usage"/>).</summary>
    /// <exception cref="ArgumentException">An argument is unknown, incomplete or out of range.</exception>
    public static BenchSettings Parse(string[] args)
    {
        bool quick = false;
        bool inProcess = false;
        string? output = null;
        string? pin = null;
        string? charts = null;
        string? python = null;
        HashSet<string> scenarios = [.. ScenarioNames.All.Split(", ")];
        for (int i = 0; i < args.Length; i++)
        {
            bool hasValue = i + 1 < args.Length;
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when hasValue:
                    output = Path.GetFullPath(args[++i]);
                    break;
                case "--server" when hasValue && args[i + 1] is "process" or "in-process":
                    inProcess = args[++i] == "in-process";
                    break;
                case "--pin-server" when hasValue:
                    pin = args[++i];
                    break;
                case "--charts" when hasValue:
                    charts = Path.GetFullPath(args[++i]);
                    break;
                case "--python" when hasValue:
                    python = args[++i];
                    break;
                case "--only" when hasValue:
                    scenarios = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    string[] unknown = [.. scenarios.Except(ScenarioNames.All.Split(", "))];
                    if (unknown.Length > 0)
                    {
                        throw new ArgumentException($"Unknown scenario '{string.Join(", ", unknown)}'.\n{Usage}", nameof(args));
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'.\n{Usage}", nameof(args));
            }
        }

        if (pin is not null && inProcess)
        {
            throw new ArgumentException($"--pin-server '{pin}' pins the server's own process; it cannot be used with --server in-process.", nameof(args));
        }

        string results = Path.Combine(RepositoryRoot(), "bench", "results");
        output ??= Path.Combine(results, string.Create(CultureInfo.InvariantCulture, $"bench-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}{(quick ? "-quick" : string.Empty)}.json"));
        if (!quick)
        {
            charts ??= results;
        }

        return quick
            ? new BenchSettings
            {
                Quick = true,
                WarmUp = TimeSpan.FromSeconds(0.3),
                Measure = TimeSpan.FromSeconds(1),
                ColdRun = TimeSpan.FromSeconds(1),
                ColdWindow = TimeSpan.FromSeconds(1),
                SweepConcurrencies = [1, 4],
                SweepWarmUp = TimeSpan.FromSeconds(0.2),
                SweepMeasure = TimeSpan.FromSeconds(0.4),
                PoolStartRuns = 1,
                ComparisonWarmUp = TimeSpan.FromSeconds(0.15),
                ComparisonMeasure = TimeSpan.FromSeconds(0.4),
                Downloads = 8,
                WorkerStartRuns = 1,
                RecycleSmallTasks = 500,
                RecycleBigTasks = 20,
                RecycleWindows = 1,
                RecycleBucket = TimeSpan.FromMilliseconds(50),
                MaxTasksPerWorker = 4,
                BigBodyLength = 64L * 1024 * 1024,
                OutputPath = output,
                ChartsDirectory = charts,
                InProcessServer = inProcess,
                PinServerCpus = pin,
                Python = python,
                Scenarios = scenarios,
            }
            : new BenchSettings
            {
                Quick = false,
                WarmUp = TimeSpan.FromSeconds(2),
                Measure = TimeSpan.FromSeconds(8),
                ColdRun = TimeSpan.FromSeconds(10),
                ColdWindow = TimeSpan.FromSeconds(2),
                SweepConcurrencies = [1, 2, 4, 8, 16, 32, 64],
                SweepWarmUp = TimeSpan.FromSeconds(1),
                SweepMeasure = TimeSpan.FromSeconds(2),
                PoolStartRuns = 3,
                ComparisonWarmUp = TimeSpan.FromSeconds(2),
                ComparisonMeasure = TimeSpan.FromSeconds(8),
                Downloads = 200,
                WorkerStartRuns = 5,
                RecycleSmallTasks = 500,
                RecycleBigTasks = 50,
                RecycleWindows = 2,
                RecycleBucket = TimeSpan.FromMilliseconds(250),
                MaxTasksPerWorker = 10,
                BigBodyLength = 4L * 1024 * 1024 * 1024,
                OutputPath = output,
                ChartsDirectory = charts,
                InProcessServer = inProcess,
                PinServerCpus = pin,
                Python = python,
                Scenarios = scenarios,
            };
    }

    /// <summary>The directory holding ProcessFutures.sln above the binaries, or the current one.</summary>
    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProcessFutures.sln")))
            {
                return directory.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
