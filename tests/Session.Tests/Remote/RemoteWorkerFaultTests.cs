using System.Collections.Concurrent;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Remote;

/// <summary>Remote workers that go away: told to stop (they drain, nothing is lost), or killed and restarted again and again (every task still ends once).</summary>
public sealed class RemoteWorkerFaultTests
{
    private const string Token = "remote-fault-token-0123456789";

    [Test]
    public async Task AWorkerToldToStop_FinishesWhatItRuns_AndTheRestGoesElsewhere()
    {
        using var certificate = new TestCertificate();
        await using RemoteWorkerProcess leaving = await RemoteWorkerProcess.StartAsync("127.0.0.13", certificate, Token);
        await using RemoteWorkerProcess staying = await RemoteWorkerProcess.StartAsync("127.0.0.14", certificate, Token);
        await using var executor = new RemoteWorkerExecutor($"static:///{leaving.Endpoint},{staying.Endpoint}", Options(certificate, concurrency: 2));
        await using var session = new FuturesSession(executor);
        await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 2, "two remote workers to be ready");

        Task<Response>[] tasks = [.. Enumerable.Range(0, 12).Select(i => session.GetAsync(TestServer.Url($"/delay/0.5?i={i}")))];
        await Waits.UntilAsync(() => TestServer.Instance.InFlight >= 4, "both workers to be running requests");
        leaving.Terminate();
        Response[] responses = await Task.WhenAll(tasks).Within(60);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(200), "nothing failed: the leaving worker finished what it ran");
        Assert.That(responses.Select(r => r.ProcessId), Does.Contain(leaving.ProcessId));
        Assert.That(responses.Count(r => r.ProcessId == staying.ProcessId), Is.GreaterThanOrEqualTo(8), "the rest went to the other worker");
        await Waits.UntilAsync(() => leaving.HasExited, "the drained worker to exit", seconds: 15);
        Assert.That(executor.WorkerAddresses, Is.EqualTo(new[] { staying.Endpoint }));
        Assert.That(leaving.Output, Does.Contain("Draining: told to stop").And.Contain("Drained: stopping now."), "the worker logs its drain's start and end");
    }

    [Test]
    public async Task MixedRequests_WhileAWorkerIsKilledAndRestarted_EveryTaskEndsExactlyOnce()
    {
        const int Total = 2000;
        using var certificate = new TestCertificate();
        string[] addresses = ["127.0.0.15", "127.0.0.16", "127.0.0.17"];
        var workers = new RemoteWorkerProcess[3];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = await RemoteWorkerProcess.StartAsync(addresses[i], certificate, Token);
        }

        try
        {
            await using var executor = new RemoteWorkerExecutor("static:///" + string.Join(',', workers.Select(w => w.Endpoint)), Options(certificate, concurrency: 4));
            await using var session = new FuturesSession(executor);
            await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 3, "three remote workers to be ready");
            using var stop = new CancellationTokenSource();
            int kills = 0;
            Task killer = Task.Run(async () =>
            {
                var random = new Random(11);
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(random.Next(200, 400));
                    int i = random.Next(workers.Length);
                    workers[i].Kill();
                    Interlocked.Increment(ref kills);
                    await workers[i].DisposeAsync();
                    workers[i] = await RemoteWorkerProcess.StartAsync(addresses[i], certificate, Token, workers[i].Port);
                }
            });

            var random = new Random(5);
            var submitted = new List<(string Kind, Task Task)>(Total);
            var cancellations = new List<CancellationTokenSource>();
            var downloads = new DownloadLedger(Directory.CreateTempSubdirectory("processfutures-remote-chaos-").FullName);
            for (int i = 0; i < Total; i++)
            {
                int roll = random.Next(100);
                (string kind, Task task) = roll switch
                {
                    < 50 => ("get", (Task)session.GetAsync(TestServer.Url($"/get?i={i}"))),
                    < 60 => ("404", session.GetAsync(TestServer.Url("/status/404"))),
                    < 70 => ("delay", session.GetAsync(TestServer.Url("/delay/0.05"))),
                    < 80 => ("boom", session.GetAsync(TestServer.Url("/get"), Callbacks.Boom)),
                    < 85 => ("cancel", Cancelled(session, random.Next(0, 100), cancellations)),
                    < 90 => ("download", downloads.Submit(session, random.Next(2) == 0 ? null : random.Next(0, 60), cancellations)),
                    _ => ("callback", session.GetAsync(TestServer.Url("/status/203"), Callbacks.StatusCode)),
                };
                submitted.Add((kind, task));
                if (i % 50 == 49)
                {
                    await Task.Delay(10);
                }
            }

            Task all = Task.WhenAll(submitted.Select(s => s.Task.ContinueWith(static _ => { }, TaskScheduler.Default)));
            await all.WaitAsync(TimeSpan.FromSeconds(120));
            await stop.CancelAsync();
            await killer.WaitAsync(TimeSpan.FromSeconds(30));

            var outcomes = new ConcurrentDictionary<string, int>();
            var unexpected = new List<string>();
            foreach ((string kind, Task task) in submitted)
            {
                string outcome = task.IsCanceled ? "cancelled" : task.IsFaulted ? $"exception {task.Exception!.InnerException!.GetType().Name}" : "result";
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                bool expected = outcome switch
                {
                    "cancelled" => kind is "cancel" or "download",
                    "result" => kind != "boom",
                    _ => task.Exception!.InnerException is WorkerCrashedException || (kind == "boom" && task.Exception!.InnerException is InvalidOperationException { Message: "boom" }),
                };
                if (!expected)
                {
                    unexpected.Add($"{kind}: {outcome}: {task.Exception?.InnerException?.Message}");
                }
            }

            await TestContext.Out.WriteLineAsync($"remote chaos: {Total} requests, {kills} kills: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
            Assert.That(outcomes.Values.Sum(), Is.EqualTo(Total), "every task ended");
            Assert.That(unexpected, Is.Empty);
            Assert.That(kills, Is.GreaterThanOrEqualTo(3));
            await Waits.UntilAsync(() => downloads.Leftovers().Length == 0, "no download's temporary file to be left", seconds: 15);
            Assert.That(downloads.Violations(), Is.Empty, "a download's task tells the truth about its file");
            foreach (CancellationTokenSource cancellation in cancellations)
            {
                cancellation.Dispose();
            }

            Directory.Delete(downloads.Directory, recursive: true);
        }
        finally
        {
            foreach (RemoteWorkerProcess worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static Task<Response> Cancelled(FuturesSession session, int afterMilliseconds, List<CancellationTokenSource> cancellations)
    {
        var cancellation = new CancellationTokenSource(afterMilliseconds);
        cancellations.Add(cancellation);
        return session.GetAsync(TestServer.Url("/delay/0.1"), cancellationToken: cancellation.Token);
    }

    private static RemoteWorkerOptions Options(TestCertificate certificate, int concurrency) => new()
    {
        Token = Token,
        TrustedCertificate = certificate.Certificate,
        ConcurrencyPerWorker = concurrency,
        ResolveInterval = TimeSpan.FromSeconds(1),
        LoggerFactory = TestLogging.Factory,
    };
}
