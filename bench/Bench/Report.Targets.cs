namespace Bench;

/// <summary>The requests-futures comparison and the targets.</summary>
internal static partial class Report
{
    public static void PrintRequestsFutures(string title, RequestsFuturesResult result, ThroughputResult? ours)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        if (result.SkipReason is { } reason)
        {
            Console.WriteLine(reason);
            return;
        }

        if (!result.Ran)
        {
            Console.WriteLine($"Failed: {result.FirstError}");
            return;
        }

        Console.WriteLine("| Executor | Setup | Requests | Errors | req/s | p50 µs | ProcessPoolExecutor ÷ this |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        string versus = ours is null ? "–" : $"{F(ours.Load.RequestsPerSecond / result.RequestsPerSecond, 1)}×";
        Console.WriteLine(
            $"| requests-futures ProcessPoolExecutor ({result.Python}) | {result.Setup} | {result.Requests} | {result.Errors} | {F(result.RequestsPerSecond, 0)} | "
            + $"{F(result.P50Microseconds, 0)} | {versus} |");
        if (ours is not null)
        {
            Console.WriteLine(
                $"| {ours.Executor} (from section 1, same load) | {ours.Setup} | {ours.Load.Requests} | {ours.Load.Errors} | {F(ours.Load.RequestsPerSecond, 0)} | "
                + $"{F(ours.Load.P50Microseconds, 0)} | 1.0× |");
        }

        if (result.FirstError is { } error)
        {
            Console.WriteLine();
            Console.WriteLine($"First error of requests-futures: {error}");
        }
    }

    public static void PrintTargets(string title, IReadOnlyList<TargetCheck> checks)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| Target | This run | Met |");
        Console.WriteLine("|---|---:|---|");
        foreach (TargetCheck check in checks)
        {
            Console.WriteLine($"| {check.Target} | {check.Measured} | {check.Met switch { true => "yes", false => "**no**", null => "–" }} |");
        }
    }
}
