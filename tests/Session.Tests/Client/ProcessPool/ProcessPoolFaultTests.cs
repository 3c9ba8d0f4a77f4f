using System.Diagnostics;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ProcessFutures;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// The pool never breaks: workers killed, crashing, hanging, leaking or unable to start; the
/// parent killed; disposal with work queued; garbage on a worker socket. Every case with real
/// worker processes, and every task ends.
/// </summary>
public sealed class ProcessPoolFaultTests
{
    [TestCase(WorkerTransport.Socket)]
    [TestCase(WorkerTransport.Grpc)]
    public async Task WorkerKilledMidRequest_FailsOnlyItsRequests_AndIsReplaced(WorkerTransport transport)
    {
        await using var pool = new ProcessPoolExecutor(2, new ProcessPoolOptions { ConcurrencyPerWorker = 2, LoggerFactory = TestLogging.Factory, Transport = transport });
        await using var session = new FuturesSession(pool);
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 2, "2 workers to be ready");
        int victim = pool.WorkerProcessIds[0];
        Task<Response>[] slow = [.. Enumerable.Range(0, 4).Select(i => session.GetAsync(TestServer.Url($"/delay/2?i={i}")))];
        await Waits.UntilAsync(() => TestServer.Instance.InFlight >= 4, "4 requests to be running");
        var firstFailure = new TaskCompletionSource<TimeSpan>();
        long killedAt = Stopwatch.GetTimestamp();
        foreach (Task<Response> task in slow)
        {
            _ = task.ContinueWith(_ => firstFailure.TrySetResult(Stopwatch.GetElapsedTime(killedAt)), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        Process.GetProcessById(victim).Kill();
        TimeSpan detected = await firstFailure.Task.Within();
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 2 && !pool.WorkerProcessIds.Contains(victim), "a replacement to be ready");
        TimeSpan replaced = Stopwatch.GetElapsedTime(killedAt);
        Response after = await session.GetAsync(TestServer.Url("/get")).Within();
        TimeSpan serving = Stopwatch.GetElapsedTime(killedAt);
        await TestContext.Out.WriteLineAsync($"killed worker {victim}: its requests failed after {detected.TotalMilliseconds:F0} ms, replacement ready after {replaced.TotalMilliseconds:F0} ms, first request after the kill served at {serving.TotalMilliseconds:F0} ms");

        await Task.WhenAny(Task.WhenAll(slow), Task.Delay(TimeSpan.FromSeconds(30)));
        Task<Response>[] failed = [.. slow.Where(t => t.IsFaulted)];
        Task<Response>[] succeeded = [.. slow.Where(t => t.IsCompletedSuccessfully)];
        Assert.That(failed.Length + succeeded.Length, Is.EqualTo(4), "every task ended");
        Assert.That(failed, Is.Not.Empty);
        foreach (Task<Response> task in failed)
        {
            WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => task)!;
            Assert.That(crash.ProcessId, Is.EqualTo(victim));
            Assert.That(crash.ExitCode, Is.EqualTo(137), "killed by SIGKILL");
            Assert.That(crash.Message, Does.Contain("SIGKILL").And.Contain("not retried"));
        }

        Assert.That(succeeded.Select(t => t.Result.ProcessId), Has.None.EqualTo(victim), "the other worker's requests were untouched");
        Assert.That(after.ProcessId, Is.Not.EqualTo(victim));
        Assert.That(detected, Is.LessThan(TimeSpan.FromSeconds(5)), "death is noticed from the exit event, not a slow poll");
    }

    [Test]
    public async Task OneWorker_Serves1000RequestsInARow_OnItsOneConnection()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { ConcurrencyPerWorker = 4, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);

        // Well past Kestrel's 200 tracked streams per connection: every call must close its stream.
        Response[] responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => session.GetAsync(TestServer.Url($"/get?i={i}")))).Within(120);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(200));
        Assert.That(responses.Select(r => r.ProcessId).Distinct().Count(), Is.EqualTo(1), "one worker, never replaced");
    }

    [Test]
    public async Task WorkerKilledMidCallback_FailsOnlyTheRequestsWhoseCallbacksRanThere()
    {
        string markers = Directory.CreateTempSubdirectory("processfutures-markers-").FullName;
        try
        {
            await using var pool = new ProcessPoolExecutor(2, new ProcessPoolOptions { ConcurrencyPerWorker = 2, LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);
            await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 2, "2 workers to be ready");
            string[] marks = [.. Enumerable.Range(0, 4).Select(i => Path.Combine(markers, $"callback-{i}"))];
            Task<int>[] tasks = [.. marks.Select(mark => session.GetAsync(TestServer.Url($"/get?marker={Uri.EscapeDataString(mark)}"), Callbacks.MarksThenSleeps))];
            await Waits.UntilAsync(() => marks.All(mark => File.Exists(mark) && new FileInfo(mark).Length > 0), "all 4 callbacks to be running");
            int[] ranIn = [.. marks.Select(mark => int.Parse(File.ReadAllText(mark), System.Globalization.CultureInfo.InvariantCulture))];
            int victim = ranIn[0];

            Process.GetProcessById(victim).Kill();
            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(30)));

            Assert.That(tasks.All(t => t.IsCompleted), Is.True, "every task ended");
            for (int i = 0; i < tasks.Length; i++)
            {
                if (ranIn[i] == victim)
                {
                    WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => tasks[i])!;
                    Assert.That(crash.ProcessId, Is.EqualTo(victim));
                }
                else
                {
                    Assert.That(await tasks[i], Is.EqualTo(ranIn[i]), "a callback in the other worker finished there");
                }
            }

            Assert.That(ranIn.Distinct().Count(), Is.EqualTo(2), "the callbacks ran in both workers");
            Response after = await session.GetAsync(TestServer.Url("/get")).Within();
            Assert.That(after.ProcessId, Is.Not.EqualTo(victim));
        }
        finally
        {
            Directory.Delete(markers, recursive: true);
        }
    }

    [Test]
    public async Task WorkerDeath_DoesNotLoseQueuedRequests()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        Task<int> crashing = session.GetAsync(TestServer.Url("/get"), Callbacks.ExitsProcess);
        Task<Response>[] queued = [.. Enumerable.Range(0, 3).Select(i => session.GetAsync(TestServer.Url($"/get?queued={i}")))];

        WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => crashing.Within())!;
        Response[] served = await Task.WhenAll(queued).Within();

        Assert.That(crash.ExitCode, Is.EqualTo(3), "the callback called Environment.Exit(3)");
        Assert.That(served.Select(r => r.StatusCode), Is.All.EqualTo(200));
        Assert.That(served.Select(r => r.ProcessId), Has.None.EqualTo(crash.ProcessId));
    }

    [Test]
    public async Task MissingWorkerPath_FailsFast_SayingWhatWasTried()
    {
        await using var pool = new ProcessPoolExecutor(2, new ProcessPoolOptions { WorkerPath = "/nonexistent/ProcessFutures.dll", WorkerStartTimeout = TimeSpan.FromSeconds(5) });
        await using var session = new FuturesSession(pool);
        var clock = Stopwatch.StartNew();

        WorkerStartException first = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;
        WorkerStartException second = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;

        Assert.That(first.Message, Does.Contain("'/nonexistent/ProcessFutures.dll'").And.Contain("does not exist").And.Contain("WorkerPath"));
        Assert.That(first.WorkerPath, Is.EqualTo("/nonexistent/ProcessFutures.dll"));
        Assert.That(second.Message, Is.EqualTo(first.Message));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "it failed fast, not at the start timeout");
    }

    [Test]
    public async Task WorkerThatExitsAtOnce_FailsRequestsWithWhatItPrinted_BacksOff_AndThePoolRecovers()
    {
        string directory = Directory.CreateTempSubdirectory("processfutures-test-").FullName;
        try
        {
            string script = Path.Combine(directory, "worker.sh");
            string attempts = Path.Combine(directory, "attempts");
            WriteScript(script, $"echo started >> '{attempts}'\necho 'cannot start: no configuration' >&2\nexit 3");
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { WorkerPath = script, WorkerStartTimeout = TimeSpan.FromSeconds(10), LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);

            WorkerStartException exception = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;
            await Task.Delay(TimeSpan.FromSeconds(3));
            int startsIn3Seconds = File.ReadAllLines(attempts).Length;

            Assert.That(exception.Message, Does.Contain(script).And.Contain("exited with code 3 before it was ready").And.Contain("cannot start: no configuration"));
            Assert.That(startsIn3Seconds, Is.InRange(2, 6), "restarts back off (250 ms, 500 ms, 1 s, 2 s …) instead of spinning");

            // The worker is fixed: the pool's next attempt succeeds and requests are served again.
            // ProcessFutures.dll has no runtimeconfig or deps.json of its own: it runs with this app's.
            string worker = Path.Combine(AppContext.BaseDirectory, "ProcessFutures.dll");
            string app = Path.Combine(AppContext.BaseDirectory, "Session.Tests");
            WriteScript(script, $"exec '{Environment.ProcessPath}' exec --runtimeconfig '{app}.runtimeconfig.json' --depsfile '{app}.deps.json' '{worker}'");
            await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the fixed worker to start", seconds: 20);
            Response response = await session.GetAsync(TestServer.Url("/get")).Within();
            Assert.That(response.StatusCode, Is.EqualTo(200));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task MaxTasksPerWorker3_Over20SequentialRequests_RecyclesWithoutAFailure()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MaxTasksPerWorker = 3, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        var servedBy = new List<int>();

        for (int i = 0; i < 20; i++)
        {
            servedBy.Add((await session.GetAsync(TestServer.Url($"/get?i={i}")).Within()).ProcessId);
        }

        Assert.That(servedBy.Distinct().Count(), Is.GreaterThanOrEqualTo(7), string.Join(", ", servedBy));
        Assert.That(servedBy.GroupBy(pid => pid).Select(g => g.Count()), Is.All.LessThanOrEqualTo(3));
        await Waits.UntilAsync(() => servedBy.Distinct().Count(WorkerProcesses.IsAlive) == 1, "recycled workers to exit");
    }

    [Test]
    public async Task ARecyclingWorker_HandsOverToAReplacementStartedBeforeItsLimit_AndNoRequestWaitsForAStart()
    {
        // Requests of 0.2 s, 10 to a worker: each worker would reach its limit in 2 s, well past
        // the time a replacement takes to start, which begins as soon as the worker nears it.
        var log = new CapturingLogger();
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MaxTasksPerWorker = 10, LoggerFactory = log });
        await using var session = new FuturesSession(pool);
        var servedBy = new List<int>();

        for (int i = 0; i < 16; i++)
        {
            servedBy.Add((await session.GetAsync(TestServer.Url($"/delay/0.2?i={i}")).Within()).ProcessId);
        }

        string[] recycled = [.. log.Entries.Where(e => e.Id.Id == 4).Select(e => e.Message)];
        Assert.That(servedBy.Distinct().Count(), Is.GreaterThanOrEqualTo(2), string.Join(", ", servedBy));
        Assert.That(recycled, Has.Length.GreaterThanOrEqualTo(1));
        Assert.That(recycled, Is.All.Contain("its replacement is ready"), "each worker retired once its replacement was ready, not at its limit with none");
        Assert.That(servedBy.GroupBy(pid => pid).Select(g => g.Count()), Is.All.LessThanOrEqualTo(11), "at most its limit (10, and up to 1/8 more)");
    }

    [Test]
    public async Task WithoutAnEarlyReplacement_AWorkerRetiresAtItsLimit_AndTheNextStartsThen()
    {
        var log = new CapturingLogger();
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MaxTasksPerWorker = 2, StartReplacementEarly = false, LoggerFactory = log });
        await using var session = new FuturesSession(pool);
        var servedBy = new List<int>();

        for (int i = 0; i < 5; i++)
        {
            servedBy.Add((await session.GetAsync(TestServer.Url($"/get?i={i}")).Within()).ProcessId);
        }

        string[] recycled = [.. log.Entries.Where(e => e.Id.Id == 4).Select(e => e.Message)];
        Assert.That(servedBy.GroupBy(pid => pid).Select(g => g.Count()), Is.EqualTo(new[] { 2, 2, 1 }), string.Join(", ", servedBy));
        Assert.That(recycled, Has.Length.EqualTo(2));
        Assert.That(recycled, Is.All.Contain("it served 2 requests (MaxTasksPerWorker 2)"));
    }

    [Test]
    public async Task MaxWorkerMemoryBytes_RecyclesAWorkerThatGrewPastIt_AfterTheRequestThatCrossedIt()
    {
        // No early replacement: the limit itself is what this shows.
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { MaxWorkerMemoryBytes = await WorkerBaselineAsync() + (150L << 20), StartReplacementEarly = false, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);

        // Each call keeps ~96 MB: the second crosses baseline + 150 MB, completes, and its worker is replaced.
        int first = await session.GetAsync(TestServer.Url("/get"), Callbacks.Leaks).Within();
        int second = await session.GetAsync(TestServer.Url("/get"), Callbacks.Leaks).Within();
        int third = await session.GetAsync(TestServer.Url("/get"), Callbacks.Leaks).Within();

        Assert.That(second, Is.EqualTo(first), "the request that crossed the limit completed on its worker");
        Assert.That(third, Is.Not.EqualTo(first), "then the worker was replaced");
        await Waits.UntilAsync(() => !WorkerProcesses.IsAlive(first), "the leaking worker to exit");
    }

    [Test]
    public async Task CallbackOverrunningItsTimeout_GetsItsWorkerKilledAndReplaced()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the worker to be ready");
        int stuck = pool.WorkerProcessIds[0];
        var clock = Stopwatch.StartNew();

        Task<int> task = session.GetAsync(TestServer.Url("/get"), Callbacks.Sleeps, new RequestOptions { Timeout = TimeSpan.FromSeconds(1) });

        TaskCanceledException exception = Assert.ThrowsAsync<TaskCanceledException>(() => task.Within())!;
        Assert.That(exception.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "not the callback's 60 s");
        await Waits.UntilAsync(() => !WorkerProcesses.IsAlive(stuck), "the stuck worker to be killed");
        Response next = await session.GetAsync(TestServer.Url("/get")).Within();
        Assert.That(next.ProcessId, Is.Not.EqualTo(stuck));
    }

    [Test]
    public async Task Dispose_CancelsQueued_KillsWhatOutlivesTheGrace_AndLeavesNothingBehind()
    {
        var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(500), LoggerFactory = TestLogging.Factory });
        string directory = pool.SocketDirectory;
        var session = new FuturesSession(pool);
        Task<Response> running = session.GetAsync(TestServer.Url("/delay/20"));
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == 1, "the request to run");
        Task<Response> queuedOne = session.GetAsync(TestServer.Url("/get"));
        Task<Response> queuedTwo = session.GetAsync(TestServer.Url("/get"));
        var clock = Stopwatch.StartNew();

        await pool.DisposeAsync().AsTask().Within();
        await pool.DisposeAsync().AsTask().Within();

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)));
        Assert.That(queuedOne.IsCanceled && queuedTwo.IsCanceled, Is.True, "queued requests end Canceled");
        WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => running.Within())!;
        Assert.That(crash.Message, Does.Contain("grace period"));
        Assert.That(WorkerProcesses.WithMarker(directory), Is.Empty, "no worker left");
        Assert.That(Directory.Exists(directory), Is.False, "socket directory removed");
        Assert.Throws<ObjectDisposedException>(() => session.GetAsync(TestServer.Url("/get")));
        Assert.Throws<ObjectDisposedException>(() => _ = new FuturesSession(pool));
        await session.DisposeAsync().Within();
    }

    [Test]
    public async Task Dispose_LetsRunningRequestsFinishWithinTheGracePeriod()
    {
        var pool = new ProcessPoolExecutor(1);
        await using var session = new FuturesSession(pool);
        Task<Response> running = session.GetAsync(TestServer.Url("/delay/0.5"));
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == 1, "the request to run");

        await pool.DisposeAsync().AsTask().Within();

        Assert.That(running.IsCompletedSuccessfully, Is.True);
        Assert.That(running.Result.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ParentKilled_LeavesNoWorkerAfter2Seconds_AndTheNextPoolRemovesItsSocketDirectory()
    {
        string host = Path.Combine(ProcessRunner.RepositoryRoot(), "tests", "PoolHost", "bin", ProcessRunner.Configuration(), "net10.0", "PoolHost.dll");
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!, ["exec", host, "3"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var parent = new Process { StartInfo = startInfo };
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        parent.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } output)
            {
                said.Enqueue(output);
                if (output.StartsWith("workers ", StringComparison.Ordinal))
                {
                    ready.TrySetResult(output);
                }
            }
        };
        parent.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } error)
            {
                said.Enqueue(error);
            }
        };
        parent.Start();
        parent.BeginOutputReadLine();
        parent.BeginErrorReadLine();
        string line;
        try
        {
            line = await ready.Task.Within();
        }
        finally
        {
            await TestContext.Out.WriteLineAsync($"host {parent.Id} said: {string.Join(" | ", said)}");
        }

        int[] workers = [.. line[8..].Split(',').Select(int.Parse)];
        string[] leftover = Directory.GetDirectories(Path.GetTempPath(), $"{PoolDirectory.Prefix}{parent.Id}-*");
        Assert.That(workers.All(WorkerProcesses.IsAlive), Is.True);

        parent.Kill();
        var clock = Stopwatch.StartNew();
        await Waits.UntilAsync(() => !workers.Any(WorkerProcesses.IsAlive), "the workers to exit", seconds: 10);
        TimeSpan gone = clock.Elapsed;
        await parent.WaitForExitAsync().Within();
        await TestContext.Out.WriteLineAsync($"parent killed: its {workers.Length} workers gone after {gone.TotalMilliseconds:F0} ms");

        Assert.That(gone, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(leftover, Has.Length.EqualTo(1));
        Assert.That(Directory.Exists(leftover[0]), Is.True, "a killed parent cannot clean up");
        await using (new ProcessPoolExecutor(1))
        {
            Assert.That(Directory.Exists(leftover[0]), Is.False, "the next pool removed the dead pool's directory");
        }
    }

    [Test]
    public async Task GarbageOnAWorkerSocket_IsRefused_AndThePoolKeepsServing()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the worker to be ready");
        int worker = pool.WorkerProcessIds[0];
        string socketPath = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();

        // Bytes that are not frames at all ("GARB" announces a 1.1 GB frame): closed, nothing allocated for it.
        Assert.That(await SendGarbageAsync(socketPath), Is.EqualTo(0), "the worker closes the connection without a word");

        // A well-formed frame whose payload is garbage: answered with an error, not a crash.
        byte[] hello = WorkerSockets.Hello(pool.Token).ToByteArray();
        WorkerFrame[] garbageReply = await WorkerSockets.RawFramedCallAsync(socketPath, hello, [0xc1, 0xff, 0x00, 0x13]);
        Assert.That(garbageReply.Single().Error, Is.Not.Null, "an error frame");
        Assert.That(garbageReply.Single().End, Is.True, "that ends the answer (and the worker ends the stream)");

        // A frame larger than any the protocol uses: the connection is closed before it is read.
        Assert.CatchAsync<IOException>(() => WorkerSockets.RawFramedCallAsync(socketPath, hello, new byte[5 * 1024 * 1024]));

        Response response = await session.GetAsync(TestServer.Url("/get")).Within();
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.ProcessId, Is.EqualTo(worker), "the same worker, unharmed");
    }

    [Test]
    public async Task GarbageOnAWorkerSocket_OnGrpc_IsRefused_AndThePoolKeepsServing()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory, Transport = WorkerTransport.Grpc });
        await using var session = new FuturesSession(pool);
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the worker to be ready");
        int worker = pool.WorkerProcessIds[0];
        string socketPath = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();

        // Bytes that are not HTTP/2 at all (Kestrel may say why before it closes the connection).
        await SendGarbageAsync(socketPath);

        using GrpcChannel channel = WorkerSockets.Channel(socketPath);
        var headers = new Metadata { { ProcessFutures.Internal.GrpcProtocol.TokenHeader, pool.Token } };
        byte[] hello = WorkerSockets.Hello().ToByteArray();

        // A well-formed call whose payload is garbage: answered with an error, not a crash.
        WorkerFrame[] garbageReply = await WorkerSockets.GrpcCallAsync(channel, headers, hello, [0xc1, 0xff, 0x00, 0x13]);
        Assert.That(garbageReply.Single().Error, Is.Not.Null, "an error frame");
        Assert.That(garbageReply.Single().End, Is.True, "that ends the answer (and the worker drops the stream)");

        // A frame larger than any the protocol uses: refused by the gRPC message limit.
        RpcException? huge = await WorkerSockets.GrpcRefusalAsync(channel, headers, hello, new byte[5 * 1024 * 1024]);
        Assert.That(huge, Is.Not.Null, "the call ends with an error status");
        Assert.That(huge!.StatusCode, Is.AnyOf(StatusCode.ResourceExhausted, StatusCode.Cancelled), "the worker refuses it (and may reset the stream before the client finishes sending)");

        Response response = await session.GetAsync(TestServer.Url("/get")).Within();
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.ProcessId, Is.EqualTo(worker), "the same worker, unharmed");
    }

    [Test]
    public async Task HugeRequestHeader_GetsTheServersAnswer_AndThePoolKeepsServing()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);

        Response tooBig = await session.GetAsync(TestServer.Url("/headers"), new RequestOptions { Headers = { ["X-Huge"] = new string('h', 1024 * 1024) } }).Within();

        Assert.That(tooBig.StatusCode, Is.EqualTo(431), "Kestrel's answer to a 1 MB header");
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200));
    }

    private static async Task<long> WorkerBaselineAsync()
    {
        await using var probe = new ProcessPoolExecutor(1);
        await using var session = new FuturesSession(probe);
        int pid = await session.GetAsync(TestServer.Url("/get"), Callbacks.ProcessId).Within();
        return ProcessMemory.ResidentBytes(pid) ?? throw new InvalidOperationException("No RSS for the probe worker.");
    }

    private static void WriteScript(string path, string body)
    {
        string temporary = path + ".new";
        File.WriteAllText(temporary, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Sends bytes that are no protocol at all to a worker's socket, and reads until the worker closes it; returns how many bytes it answered.</summary>
    private static async Task<int> SendGarbageAsync(string socketPath)
    {
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).Within();
        await raw.SendAsync(System.Text.Encoding.ASCII.GetBytes("GARBAGE / HTTP/9\r\n\r\n" + new string('x', 10000))).Within();
        byte[] buffer = new byte[4096];
        int total = 0;
        try
        {
            for (int read; (read = await raw.ReceiveAsync(buffer).Within()) > 0;)
            {
                total += read;
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with our bytes unread: a reset, not an answer.
        }

        return total;
    }
}
