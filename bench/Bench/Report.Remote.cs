namespace Bench;

/// <summary>The tables of the remote scenario.</summary>
internal static partial class Report
{
    public static void PrintRemote(RemoteResult result)
    {
        Console.WriteLine();
        Console.WriteLine("## Remote workers: RemoteWorkerExecutor to workers on loopback addresses of this machine");
        Console.WriteLine();
        Console.WriteLine($"- Workers: {string.Join(", ", result.Workers)}; TLS with an ECDSA P-256 certificate made for this run (trusted by the client), a token on every call");
        Console.WriteLine($"- Worker runtime: {result.WorkerRuntime}");
        string callbackErrors = result.CallbackErrors == 0 ? "no error" : $"{result.CallbackErrors} error(s): {string.Join("; ", result.CallbackFirstErrors.Select(e => $"{e.Key}: {e.Value}"))}";
        Console.WriteLine(
            $"- Callback: Callbacks.ProcessId (Bench.dll, found by the workers by assembly name) answered {result.CallbackRequests} requests from pids {string.Join(", ", result.CallbackProcessIds)} "
            + $"({result.CallbackProcessIds.Count} of {result.Workers.Count} workers); {callbackErrors}");
        Console.WriteLine(
            $"- Ceiling: {result.ProcessorCount} cores ÷ CPU per request of all processes together (client + workers + server): the req/s this machine's cores allow that way of "
            + "serving, whichever process does the work. Client, workers and server share the same cores, so one more worker adds CPU to spend, not cores to spend it on.");
        foreach (IGrouping<string, ThroughputResult> load in result.Throughput.GroupBy(t => t.Scenario))
        {
            Console.WriteLine();
            Console.WriteLine($"## {load.Key}");
            Console.WriteLine();
            Console.WriteLine($"{LoadHeader} CPU µs/req all | Ceiling req/s | Cores client / workers / server | Worker peak RSS MiB |");
            Console.WriteLine($"{LoadAlignment}---:|---:|---:|---:|");
            foreach (ThroughputResult r in load)
            {
                Console.WriteLine($"{LoadCells(r)} {F(r.Cpu.TotalMicrosecondsPerRequest, 0)} | {F(Ceiling(result.ProcessorCount, r.Cpu), 0)} | {Cores(r.Cpu)} | {WorkerPeaks(r.Rss)} |");
            }

            PrintErrors(load.Select(r => (r.Executor, r.Load.ErrorCounts, r.Load.FirstErrorMessages)));
        }
    }

    /// <summary>Requests/s that <paramref name="cores"/> cores allow at this CPU per request; NaN when none was measured.</summary>
    private static double Ceiling(int cores, CpuUsage cpu) => cpu.TotalMicrosecondsPerRequest > 0 ? cores / cpu.TotalMicrosecondsPerRequest * 1e6 : double.NaN;
}
