using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>What the pool says about its workers: their count by state, why each one ended, their memory, and one log entry per death.</summary>
public sealed class ProcessPoolTelemetryTests
{
    [Test]
    public async Task AKilledWorker_IsCountedAsACrash_AndLoggedOnce_WithItsPidAndSignal()
    {
        using var metrics = new MetricsRecorder();
        var log = new CapturingLogger();
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MeterFactory = metrics.Factory, LoggerFactory = log });
        await using var session = new FuturesSession(pool);
        int victim = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        Process.GetProcessById(victim).Kill();
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1 && !pool.WorkerProcessIds.Contains(victim), "a replacement");
        await session.GetAsync(TestServer.Url("/get")).Within();
        metrics.RecordObservable();

        (double Value, Dictionary<string, object?> Tags)[] exits = [.. metrics.Of("processfutures.worker.exits")];
        Assert.That(exits.Select(e => e.Tags["processfutures.worker.exit_reason"]), Is.EqualTo(new[] { "crash" }));
        (EventId Id, LogLevel Level, string Message)[] deaths = [.. log.Entries.Where(e => e.Message.Contains($"Worker {victim} ", StringComparison.Ordinal) && e.Id.Id is 2 or 5 or 7)];
        Assert.That(deaths, Has.Length.EqualTo(1), "one entry for the death");
        Assert.That(deaths[0].Id.Id, Is.EqualTo(2));
        Assert.That(deaths[0].Message, Does.Contain("SIGKILL").And.Contain("not by the pool"));
        Assert.That(metrics.Of("processfutures.worker.memory.usage").Select(m => m.Tags["processfutures.worker.pid"]), Does.Contain(pool.WorkerProcessIds[0]));
        Assert.That(metrics.Of("processfutures.worker.memory.usage").Select(m => m.Value), Is.All.GreaterThan(10_000_000));
    }

    [Test]
    public async Task WorkerCountsByState_FollowStartRecycleAndShutdown()
    {
        using var metrics = new MetricsRecorder();
        var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MaxTasksPerWorker = 2, MeterFactory = metrics.Factory, LoggerFactory = TestLogging.Factory });
        await using (var session = new FuturesSession(pool))
        {
            for (int i = 0; i < 5; i++)
            {
                await session.GetAsync(TestServer.Url("/get")).Within();
            }
        }

        await pool.DisposeAsync().AsTask().Within();

        Dictionary<string, double> byState = metrics.Of("processfutures.worker.count").GroupBy(m => (string)m.Tags["processfutures.worker.state"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.That(byState.Values, Is.All.Zero, "every worker that started, was ready or drained is gone after disposal");
        Assert.That(metrics.Of("processfutures.worker.count").Count(m => Equals(m.Tags["processfutures.worker.state"], "draining") && m.Value > 0), Is.GreaterThanOrEqualTo(2), "recycled workers drained");
        string?[] reasons = [.. metrics.Of("processfutures.worker.exits").Select(e => (string?)e.Tags["processfutures.worker.exit_reason"])];
        Assert.That(reasons, Does.Contain("recycle_tasks"));
        Assert.That(reasons, Does.Contain("shutdown"), "the last worker was stopped by the disposal");
        Assert.That(reasons, Has.None.EqualTo("crash"));
    }

    [Test]
    public async Task AWorker_ExportsItsOwnSpans_WhenTheOtlpEnvironmentAsks_InTheCallersTrace()
    {
        string[] variables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_SERVICE_NAME"];
        Dictionary<string, string?> saved = variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        ActivityTraceId trace;
        try
        {
            Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", TestServer.Url("/").TrimEnd('/'));
            Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            Environment.SetEnvironmentVariable("OTEL_BSP_SCHEDULE_DELAY", "200");
            Environment.SetEnvironmentVariable("OTEL_SERVICE_NAME", "processfutures-test-worker");
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);
            // A sampled caller's span, as an OpenTelemetry set-up in the calling app would make.
            using var parent = new Activity("test").SetIdFormat(ActivityIdFormat.W3C);
            parent.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            parent.Start();
            trace = parent.TraceId;

            await session.GetAsync(TestServer.Url("/get")).Within();
        }
        finally
        {
            foreach ((string variable, string? value) in saved)
            {
                Environment.SetEnvironmentVariable(variable, value);
            }
        }

        byte[] traceIdBytes = new byte[16];
        trace.CopyTo(traceIdBytes);
        await Waits.UntilAsync(
            () => TestServer.Instance.Exports("traces").Any(body => body.AsSpan().IndexOf(traceIdBytes) >= 0),
            "the worker to export a span of the caller's trace over OTLP",
            seconds: 20);
        Assert.That(TestServer.Instance.Exports("traces").Any(body => System.Text.Encoding.UTF8.GetString(body).Contains("processfutures-test-worker", StringComparison.Ordinal)), Is.True);
    }
}
