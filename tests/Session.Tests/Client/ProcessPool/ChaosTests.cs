using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// Thousands of mixed requests — successes, 404s, delays, callbacks that throw, cancellations,
/// downloads to files (some cancelled) — while workers are killed at random and recycled. Every
/// task must end exactly once, with a result, an expected exception, or a cancellation; the run
/// must keep making progress (a stretch of 30 s in which no task ends is a hang); a download's
/// task must tell the truth about its file (succeeded ⇔ the complete file is at its destination,
/// at its end and after); no temporary file is left, nor anything a killed worker's runtime would
/// leave in the temporary directory; and the pool must still serve afterwards.
/// </summary>
/// <remarks>
/// Kills are paced by work done, not by the clock: one worker is killed after every 40–120
/// requests that end (and at most every 100 ms). A kill schedule by wall time alone measures the
/// machine instead: on a loaded 2-core machine a worker takes 300–400 ms to start, and killing
/// one every 100–300 ms killed most workers before they served anything (98 of 149 in one run
/// had no request in flight), so the run could not finish in time although nothing hung.
/// PROCESSFUTURES_CHAOS_REQUESTS sets the count (default 5,000; the soak run uses 100,000).
/// </remarks>
[Category("Chaos")]
public sealed class ChaosTests
{
    private static readonly int s_total = int.TryParse(Environment.GetEnvironmentVariable("PROCESSFUTURES_CHAOS_REQUESTS"), out int total) && total > 0 ? total : 5000;

    [TestCase(WorkerTransport.Socket)]
    [TestCase(WorkerTransport.Grpc)]
    public async Task Requests_WhileWorkersAreKilledAndRecycled_EveryTaskEndsExactlyOnce(WorkerTransport transport)
    {
        await using var pool = new ProcessPoolExecutor(3, new ProcessPoolOptions { ConcurrencyPerWorker = 4, MaxTasksPerWorker = 400, LoggerFactory = TestLogging.Factory, Transport = transport });
        await using var session = new FuturesSession(pool);
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 3, "3 workers to be ready");
        var random = new Random(20261124);
        var submitted = new List<(string Kind, Task Task)>(s_total);
        var cancellations = new List<CancellationTokenSource>();
        using var stopKilling = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var ended = new StrongBox<int>();
        DateTime started = DateTime.UtcNow;
        Task<List<int>> killer = KillWorkersAsWorkIsDoneAsync(pool, ended, stopKilling.Token);
        var downloads = new DownloadLedger(Directory.CreateTempSubdirectory("processfutures-chaos-").FullName);

        for (int i = 0; i < s_total; i++)
        {
            int roll = random.Next(100);
            (string kind, Task task) = roll switch
            {
                < 45 => ("get", (Task)session.GetAsync(TestServer.Url($"/get?i={i}"))),
                < 55 => ("404", session.GetAsync(TestServer.Url("/status/404"))),
                < 65 => ("delay", session.GetAsync(TestServer.Url("/delay/0.05"))),
                < 75 => ("boom", session.GetAsync(TestServer.Url("/get"), Callbacks.Boom)),
                < 80 => ("callback", session.GetAsync(TestServer.Url("/status/203"), Callbacks.StatusCode)),
                < 90 => ("cancel", SubmitCancelled(session, random.Next(0, 150), cancellations)),
                < 93 => ("download", downloads.Submit(session, cancelAfterMilliseconds: null, cancellations)),
                < 96 => ("download-cancel", downloads.Submit(session, cancelAfterMilliseconds: random.Next(0, 60), cancellations)),
                _ => ("bytes", session.GetAsync(TestServer.Url("/bytes/200000?seed=9"))),
            };
            submitted.Add((kind, task));
            _ = task.ContinueWith(static (_, box) => Interlocked.Increment(ref ((StrongBox<int>)box!).Value), ended, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (i % 50 == 49)
            {
                // Spread the submissions over the run, so kills land on every phase of it.
                await Task.Delay(8);
            }
        }

        TimeSpan submittedAfter = clock.Elapsed;
        TimeSpan longestStall = await WaitWhileProgressingAsync(ended, s_total, TimeSpan.FromSeconds(30));
        TimeSpan endedAfter = clock.Elapsed;
        await stopKilling.CancelAsync();
        List<int> killed = await killer.Within();
        int kills = killed.Count;

        var outcomes = new ConcurrentDictionary<string, int>();
        var unexpected = new List<string>();
        int pending = 0;
        foreach ((string kind, Task task) in submitted)
        {
            string outcome = Classify(kind, task, unexpected);
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            pending += task.IsCompleted ? 0 : 1;
        }

        int results = outcomes.Where(o => o.Key.StartsWith("result", StringComparison.Ordinal)).Sum(o => o.Value);
        int exceptions = outcomes.Where(o => o.Key.StartsWith("exception", StringComparison.Ordinal)).Sum(o => o.Value);
        int cancelled = outcomes.GetValueOrDefault("cancelled");
        await TestContext.Out.WriteLineAsync(
            $"chaos: {s_total} submitted in {submittedAfter.TotalSeconds:F1} s, all ended after {endedAfter.TotalSeconds:F1} s; " +
            $"{results} results + {exceptions} exceptions + {cancelled} cancellations = {results + exceptions + cancelled}; {pending} pending; {kills} workers killed; longest stretch without a task ending {longestStall.TotalSeconds:F1} s");
        foreach (KeyValuePair<string, int> outcome in outcomes.OrderBy(o => o.Key))
        {
            await TestContext.Out.WriteLineAsync($"  {outcome.Key}: {outcome.Value}");
        }

        Assert.That(pending, Is.Zero, "no task is pending: the run never went 30 s without a task ending");
        Assert.That(results + exceptions + cancelled, Is.EqualTo(s_total), "every task ended exactly once");
        Assert.That(unexpected, Is.Empty, "only the expected outcomes");
        Assert.That(kills, Is.GreaterThanOrEqualTo(5), "workers were killed during the run");
        Assert.That(outcomes.GetValueOrDefault("exception WorkerCrashedException"), Is.GreaterThan(0), "kills landed on running requests");
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 3, "the pool to be whole again");
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200));
        await Waits.UntilAsync(() => downloads.Leftovers().Length == 0, "no download's temporary file to be left", seconds: 15);
        Assert.That(downloads.Violations(), Is.Empty, "a download's task tells the truth about its file: succeeded ⇔ the complete file is at its destination");
        Assert.That(killed.SelectMany(pid => WorkerProcesses.RuntimeFilesSince(pid, started)), Is.Empty, "a killed worker leaves nothing in the temporary directory (no debugger pipes, no diagnostics socket)");
        foreach (CancellationTokenSource cancellation in cancellations)
        {
            cancellation.Dispose();
        }

        Directory.Delete(downloads.Directory, recursive: true);
    }

    private static Task<Response> SubmitCancelled(FuturesSession session, int afterMilliseconds, List<CancellationTokenSource> cancellations)
    {
        var cancellation = new CancellationTokenSource(afterMilliseconds);
        cancellations.Add(cancellation);
        return session.GetAsync(TestServer.Url("/delay/0.1"), cancellationToken: cancellation.Token);
    }

    /// <summary>Names the outcome, and records it as unexpected if the kind of request cannot end that way.</summary>
    private static string Classify(string kind, Task task, List<string> unexpected)
    {
        if (task.IsCanceled)
        {
            if (kind is not ("cancel" or "download-cancel"))
            {
                unexpected.Add($"{kind}: cancelled");
            }

            return "cancelled";
        }

        if (task.IsFaulted)
        {
            Exception exception = task.Exception!.InnerException!;
            bool expected = exception is WorkerCrashedException || (kind == "boom" && exception is InvalidOperationException { Message: "boom" })
                || (kind == "download-cancel" && exception is TaskCanceledException);
            if (!expected)
            {
                unexpected.Add($"{kind}: {exception}");
            }

            return $"exception {exception.GetType().Name}";
        }

        if (!task.IsCompleted)
        {
            return "pending";
        }

        object? value = task switch
        {
            Task<Response> response => response.Result,
            Task<int> number => number.Result,
            _ => null,
        };
        bool right = (kind, value) switch
        {
            ("get" or "delay" or "cancel", Response r) => r.StatusCode == 200,
            ("download" or "download-cancel", Response r) => r.StatusCode == 200 && r.DownloadPath is not null,
            ("404", Response r) => r.StatusCode == 404,
            ("bytes", Response r) => r.Content.Length == 200000,
            ("callback", int status) => status == 203,
            _ => false,
        };
        if (!right)
        {
            unexpected.Add($"{kind}: wrong result {value}");
        }

        return $"result {kind}";
    }

    /// <summary>Waits until <paramref name="total"/> tasks ended, or until none ended for <paramref name="stall"/>; returns the longest wait between two endings.</summary>
    private static async Task<TimeSpan> WaitWhileProgressingAsync(StrongBox<int> ended, int total, TimeSpan stall)
    {
        var sinceProgress = Stopwatch.StartNew();
        TimeSpan longest = TimeSpan.Zero;
        int seen = Volatile.Read(ref ended.Value);
        while (seen < total && sinceProgress.Elapsed < stall)
        {
            await Task.Delay(50);
            int now = Volatile.Read(ref ended.Value);
            if (now != seen)
            {
                longest = sinceProgress.Elapsed > longest ? sinceProgress.Elapsed : longest;
                sinceProgress.Restart();
                seen = now;
            }
        }

        return sinceProgress.Elapsed > longest ? sinceProgress.Elapsed : longest;
    }

    /// <summary>Kills a worker after every 40–120 tasks that end (at most every 100 ms) until stopped; the pids killed.</summary>
    private static async Task<List<int>> KillWorkersAsWorkIsDoneAsync(ProcessPoolExecutor pool, StrongBox<int> ended, CancellationToken stop)
    {
        var random = new Random(7);
        var killed = new List<int>();
        int nextKillAt = random.Next(40, 121);
        try
        {
            while (true)
            {
                await Task.Delay(100, stop);
                IReadOnlyList<int> workers = pool.WorkerProcessIds;
                if (workers.Count == 0 || Volatile.Read(ref ended.Value) < nextKillAt)
                {
                    continue;
                }

                try
                {
                    int pid = workers[random.Next(workers.Count)];
                    using Process victim = Process.GetProcessById(pid);
                    victim.Kill();
                    killed.Add(pid);
                    nextKillAt = Volatile.Read(ref ended.Value) + random.Next(40, 121);
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
                {
                    // It was already gone.
                }
            }
        }
        catch (OperationCanceledException)
        {
            return killed;
        }
    }
}
