namespace Bench;

/// <summary>What one run measures and for how long: the full run, or a quick one (<c>--quick</c>).</summary>
internal sealed record BenchSettings(bool Quick, TimeSpan WarmUp, TimeSpan Measure, int PoolStartRuns, int Downloads, int MaxTasksPerWorker, string OutputPath)
{
    /// <summary>Past this, the whole run is abandoned: a hang must not outlive the benchmark.</summary>
    public TimeSpan Watchdog => Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(30);

    /// <summary>Reads <c>[--quick] [--out path.json]</c>.</summary>
    /// <exception cref="ArgumentException">An argument is unknown, or --out has no path.</exception>
    public static BenchSettings Parse(string[] args)
    {
        bool quick = false;
        string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'. Usage: Bench [--quick] [--out path.json]", nameof(args));
            }
        }

        output ??= Path.Combine(RepositoryRoot(), "bench", "results", $"bench-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}.json");
        return quick
            ? new BenchSettings(true, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5), PoolStartRuns: 1, Downloads: 20, MaxTasksPerWorker: 5, output)
            : new BenchSettings(false, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), PoolStartRuns: 3, Downloads: 200, MaxTasksPerWorker: 10, output);
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
