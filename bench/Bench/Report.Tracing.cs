namespace Bench;

/// <summary>The table of the tracing scenario.</summary>
internal static partial class Report
{
    public static void PrintTracing(IReadOnlyList<TracingResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("## 11. Tracing: warm, GET /bytes/100, concurrency 16; each executor without and with an ActivityListener on ProcessFutures and System.Net.Http (AllDataAndRecorded, does nothing), measured in half windows in the order without, with, with, without, each state pooled; p50: mean of its two windows");
        Console.WriteLine();
        Console.WriteLine("×raw: to raw HttpClient in the same state (without a listener / with one). Workers have no listener (they export only when OTEL_EXPORTER_OTLP_* asks); the span context still travels to them.");
        Console.WriteLine();
        Console.WriteLine("| Executor | Setup | req/s without (×raw) | req/s with (×raw) | With ÷ without | p50 µs without / with | CPU µs/req client / workers / server, without | with | Added CPU µs/req client / all | Spans per request here | Errors |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (TracingResult r in results)
        {
            ThroughputResult off = r.WithoutListener;
            ThroughputResult on = r.WithListener;
            string spans = string.Join(", ", r.SpansPerRequest.Select(s => $"{s.Key} {F(s.Value, 2)}"));
            Console.WriteLine(
                $"| {r.Executor} | {r.Setup} | {F(off.Load.RequestsPerSecond, 0)} ({F(off.RequestsPerSecondVsRaw, 2)}×) | {F(on.Load.RequestsPerSecond, 0)} ({F(on.RequestsPerSecondVsRaw, 2)}×) | "
                + $"{F(r.ListenerRequestsPerSecondRatio, 2)} | {F(off.Load.P50Microseconds, 0)} / {F(on.Load.P50Microseconds, 0)} | {CpuPerRequest(off.Cpu)} | {CpuPerRequest(on.Cpu)} | "
                + $"{Signed(r.ListenerAddedClientMicroseconds)} / {Signed(r.ListenerAddedTotalMicroseconds)} | {spans} | {off.Load.Errors + on.Load.Errors} |");
        }

        PrintErrors(results.SelectMany(r => new[]
        {
            ($"{r.Executor} without a listener", r.WithoutListener.Load.ErrorCounts, r.WithoutListener.Load.FirstErrorMessages),
            ($"{r.Executor} with a listener", r.WithListener.Load.ErrorCounts, r.WithListener.Load.FirstErrorMessages),
        }));
    }
}
