using System.Diagnostics;
using System.Runtime.Serialization;
using System.Text;
using ProcessFutures;
using ProcessFutures.Infrastructure;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// Nothing a server, a callback or a caller sends may kill a healthy worker or hold it for ever:
/// huge response heads and error messages, cyclic results, cancelled callbacks that never return,
/// callbacks that allocate without end, odd temporary directories.
/// </summary>
public sealed class ProcessPoolHardeningTests
{
    [Test]
    public async Task HugeResponseHead_ReachesTheCaller_AndTheWorkerSurvives()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { ConcurrencyPerWorker = 2, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        // ~900 Set-Cookie headers on a ~6 KB URL: recorded naively (URL per cookie) that is over 5 MB.
        var query = new StringBuilder();
        for (int i = 0; i < 900; i++)
        {
            query.Append(i == 0 ? '?' : '&').Append('c').Append(i).Append("=v");
        }

        Task<Response> other = session.GetAsync(TestServer.Url("/delay/1"));
        Response response = await session.GetAsync(TestServer.Url("/cookies/set" + query), new RequestOptions { AllowRedirects = false }).Within();
        Response afterwards = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(302));
        Assert.That((await other.Within()).StatusCode, Is.EqualTo(200), "the worker's other request was not harmed");
        Assert.That(afterwards.ProcessId, Is.EqualTo(worker), "the same worker, alive");
        Response cookies = await session.GetAsync(TestServer.Url("/cookies")).Within();
        Assert.That(cookies.Text, Does.Contain("\"c899\":\"v\""), "the cookies reached the session's jar");
    }

    [Test]
    public async Task CallbackThrowingAHugeMessage_FailsItsTaskWithATruncatedMessage_AndTheWorkerSurvives()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        InvalidOperationException exception = Assert.ThrowsAsync<InvalidOperationException>(() => session.GetAsync(TestServer.Url("/get"), HostileCallbacks.ThrowsHugeMessage).Within())!;
        Response afterwards = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(exception.Message, Does.StartWith("huge:mmm").And.Contain("truncated"));
        Assert.That(exception.Message.Length, Is.LessThan(1 << 20));
        Assert.That(afterwards.ProcessId, Is.EqualTo(worker), "the same worker, alive");
    }

    [Test]
    public async Task CallbackReturningACycle_FailsOnlyItsTask_WithSerializationException()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { ConcurrencyPerWorker = 2, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        Task<Response> other = session.GetAsync(TestServer.Url("/delay/1"));
        SerializationException exception = Assert.ThrowsAsync<SerializationException>(() => session.GetAsync(TestServer.Url("/get"), HostileCallbacks.ReturnsCycle).Within())!;
        Response afterwards = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(exception.Message, Does.Contain("HostileCallbacks.ReturnsCycle").And.Contain("deep").And.Contain("cycle"));
        Assert.That((await other.Within()).StatusCode, Is.EqualTo(200), "the worker's other request was not harmed");
        Assert.That(afterwards.ProcessId, Is.EqualTo(worker), "the same worker, alive");
    }

    [Test]
    public async Task CancelledCallbackThatNeverReturns_FreesItsSlot_ByReplacingTheWorker()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool, options: new SessionOptions { Timeout = Timeout.InfiniteTimeSpan });
        int stuck = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;
        using var cancel = new CancellationTokenSource();

        Task<int> blocked = session.GetAsync(TestServer.Url("/get"), HostileCallbacks.BlocksForever, cancellationToken: cancel.Token);
        await Task.Delay(500);
        await cancel.CancelAsync();
        Assert.That(() => blocked.Within(), Throws.InstanceOf<OperationCanceledException>());
        var clock = Stopwatch.StartNew();
        Response next = await session.GetAsync(TestServer.Url("/get")).Within(20);

        await TestContext.Out.WriteLineAsync($"the next request was served {clock.Elapsed.TotalSeconds:F1} s after the cancellation");
        Assert.That(next.ProcessId, Is.Not.EqualTo(stuck), "the stuck worker was replaced");
        await Waits.UntilAsync(() => !WorkerProcesses.IsAlive(stuck), "the stuck worker to be killed");
    }

    [Test]
    public async Task RunawayCallback_GetsOutOfMemoryException_TheWorkersOtherRequestsFinish_AndItIsRecycled()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { ConcurrencyPerWorker = 2, WorkerHeapLimitBytes = 256L << 20, LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        Task<Response> other = session.GetAsync(TestServer.Url("/delay/1"));
        Assert.That(() => session.GetAsync(TestServer.Url("/get"), HostileCallbacks.AllocatesWithoutEnd).Within(60), Throws.InstanceOf<OutOfMemoryException>());
        Response survivor = await other.Within();
        Response next = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(survivor.StatusCode, Is.EqualTo(200));
        Assert.That(survivor.ProcessId, Is.EqualTo(worker), "the request beside the runaway one finished on its worker");
        Assert.That(next.ProcessId, Is.Not.EqualTo(worker), "the worker that ran out of memory was recycled");
    }

    [TestCase("日本語のとても長い一時ディレクトリの名前です日本語のとても長い名前")]
    [TestCase("relative-tmp")]
    public async Task TemporaryDirectory_LongInBytesOrRelative_StillWorks(string name)
    {
        string? saved = Environment.GetEnvironmentVariable("TMPDIR");
        string root = Path.IsPathRooted(name) ? name : Path.Combine(Path.GetTempPath(), name);
        string tmpdir = name.StartsWith("relative", StringComparison.Ordinal) ? name : root;
        string created = Path.GetFullPath(tmpdir);
        Directory.CreateDirectory(created);
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", tmpdir);
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { WorkerStartTimeout = TimeSpan.FromSeconds(20), LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);

            Response response = await session.GetAsync(TestServer.Url("/get")).Within();

            Assert.That(response.StatusCode, Is.EqualTo(200));
            Assert.That(Path.IsPathRooted(pool.SocketDirectory), Is.True, "an absolute socket directory");
            Assert.That(Encoding.UTF8.GetByteCount(pool.SocketDirectory) + 12, Is.LessThan(108), "room for the socket name in sun_path");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", saved);
            Directory.Delete(created, recursive: true);
        }
    }

    [Test]
    public async Task WorkerThatFailsToStart_TheMessageKeepsTheLineThatSaysWhy()
    {
        string directory = Directory.CreateTempSubdirectory("processfutures-test-").FullName;
        try
        {
            string script = Path.Combine(directory, "worker.sh");
            var body = new StringBuilder("echo 'Unhandled exception. System.IO.IOException: the real cause is here' >&2\n");
            for (int i = 0; i < 60; i++)
            {
                body.Append("echo '   at Some.Frame").Append(i).Append("()' >&2\n");
            }

            File.WriteAllText(script, "#!/bin/sh\n" + body + "exit 134\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { WorkerPath = script, LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);

            WorkerStartException exception = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;

            Assert.That(exception.Message, Does.Contain("the real cause is here"));
            Assert.That(exception.Message, Does.Contain("Some.Frame59"), "and the last lines");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Workers_RunWithoutADiagnosticsSocket_SoAKilledOneLeavesNothingInTmp()
    {
        // Pids are reused: a socket left hours ago by another process with the worker's pid is not the worker's.
        DateTime before = DateTime.UtcNow.AddSeconds(-1);
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;
        string[] ownSockets = Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*");

        string[] workerSockets = WorkerProcesses.DiagnosticSocketsSince(worker, before);
        Process.GetProcessById(worker).Kill();
        await Waits.UntilAsync(() => !WorkerProcesses.IsAlive(worker), "the worker to die");

        Assert.That(ownSockets, Is.Not.Empty, "this process has one (the check looks in the right place)");
        Assert.That(workerSockets, Is.Empty, "the worker never made one");
        Assert.That(WorkerProcesses.DiagnosticSocketsSince(worker, before), Is.Empty);
    }

    [Test]
    public async Task KilledWorkers_LeaveNoDebuggerPipeNorDiagnosticsSocket_AndWithDiagnosticsOnThePoolRemovesTheirs()
    {
        DateTime before = DateTime.UtcNow.AddSeconds(-1);
        foreach (bool diagnostics in new[] { false, true })
        {
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { EnableWorkerDiagnostics = diagnostics, LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);
            var killed = new List<int>();
            for (int i = 0; i < 3; i++)
            {
                int worker = (await session.GetAsync(TestServer.Url("/get")).Within(30)).ProcessId;
                if (diagnostics)
                {
                    Assert.That(WorkerProcesses.RuntimeFilesSince(worker, before), Is.Not.Empty, "with diagnostics on, the worker has its debugger pipes (the check looks in the right place)");
                }

                Process.GetProcessById(worker).Kill();
                killed.Add(worker);
                await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1 && !pool.WorkerProcessIds.Contains(worker), "the worker to be replaced", seconds: 30);
            }

            await Waits.UntilAsync(() => killed.All(pid => WorkerProcesses.RuntimeFilesSince(pid, before).Length == 0), $"no file left by a killed worker (diagnostics {(diagnostics ? "on" : "off")})", seconds: 15);
        }
    }

    [Test]
    public async Task ACallbackNamedByAPath_IsRefusedByALocalWorker_BeforeAnyFileIsTouched()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the worker to be ready");
        string socket = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();
        foreach (string name in new[] { "../../../tmp/evil", "/tmp/evil", "sub/evil" })
        {
            var item = new ProcessFutures.Protocol.WorkItem
            {
                CallId = 1,
                Request = new ProcessFutures.Protocol.HttpRequest { Method = "GET", Url = TestServer.Url("/get"), Transport = new ProcessFutures.Protocol.TransportSettings { VerifyTls = true } },
                Callback = new ProcessFutures.Protocol.Callback { AssemblyName = name, AssemblyPath = "/tmp/evil.dll", TypeName = "Evil", MethodName = "Run" },
            };

            ProcessFutures.Protocol.WorkerFrame[] answer = await WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(pool.Token), new ProcessFutures.Protocol.ClientFrame { Start = item });

            Assert.That(answer.Last().Error?.Kind, Is.EqualTo(ProcessFutures.Protocol.ErrorKind.Rejected), name);
            Assert.That(answer.Last().Error.Message, Does.Contain("not a plain assembly name"), name);
        }
    }

    [Test]
    public async Task ThousandsOfConnectionsWithoutTheToken_HoldABoundedNumberOfDescriptors_AndTheWorkerServesOn()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within(30)).ProcessId;
        string socket = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();
        int baseline = Directory.GetFiles($"/proc/{worker}/fd").Length;
        var idle = new List<System.Net.Sockets.Socket>();
        try
        {
            for (int i = 0; i < 3000; i++)
            {
                idle.Add(await ConnectPatientlyAsync(socket));
            }

            await Waits.UntilAsync(() => Directory.GetFiles($"/proc/{worker}/fd").Length <= baseline + 64 + 8, "the worker to hold at most 64 connections that showed no token", seconds: 30);
            Assert.That((await session.GetAsync(TestServer.Url("/get")).Within(30)).ProcessId, Is.EqualTo(worker), "the same worker serves on");
        }
        finally
        {
            foreach (System.Net.Sockets.Socket connection in idle)
            {
                connection.Dispose();
            }
        }

        ProcessFutures.Protocol.WorkerFrame[] answer = await WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(pool.Token), new ProcessFutures.Protocol.ClientFrame { Start = new ProcessFutures.Protocol.WorkItem() });
        Assert.That(answer.Last().End, Is.True, "a new connection with the token is still accepted");
    }

    [Test]
    public async Task AWorkerAtItsDescriptorLimit_KeepsServing_AndAcceptsAgainOnceDescriptorsAreFree()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within(30)).ProcessId;
        string socket = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();
        int open = Directory.GetFiles($"/proc/{worker}/fd").Length;

        // Lower the running worker's limit to a dozen more descriptors than it holds: the flood
        // (of fewer connections than a worker lets wait) takes it to its limit, where accepting
        // fails with EMFILE and the runtime could not start a thread.
        using (Process prlimit = Process.Start("prlimit", ["--pid", worker.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--nofile={open + 12}:{open + 12}"])!)
        {
            await prlimit.WaitForExitAsync().Within();
            Assert.That(prlimit.ExitCode, Is.Zero, "prlimit could set the worker's limit");
        }

        var flood = new List<System.Net.Sockets.Socket>();
        try
        {
            for (int i = 0; i < 40; i++)
            {
                var connection = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await connection.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket)).Within();
                flood.Add(connection);
            }

            Assert.That((await session.GetAsync(TestServer.Url("/get")).Within(30)).ProcessId, Is.EqualTo(worker), "its slot's connection serves on while accepting fails");
        }
        finally
        {
            foreach (System.Net.Sockets.Socket connection in flood)
            {
                connection.Dispose();
            }
        }

        // The worker may still be closing the flood's last connections (and a connection that
        // comes meanwhile with them): a patient client is answered once they are gone.
        var retrying = Stopwatch.StartNew();
        ProcessFutures.Protocol.WorkerFrame[] answer;
        while (true)
        {
            try
            {
                answer = await WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(pool.Token), new ProcessFutures.Protocol.ClientFrame { Start = new ProcessFutures.Protocol.WorkItem() }).Within(30);
                break;
            }
            catch (WorkerTransportException) when (retrying.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }

        Assert.That(answer.Last().End, Is.True, "accepting resumed once descriptors were free");
        Assert.That(WorkerProcesses.IsAlive(worker), Is.True, "the worker never exited");
    }

    /// <summary>Connects to a Unix socket; a full listen backlog (EAGAIN) is waited out, as a patient intruder would.</summary>
    private static async Task<System.Net.Sockets.Socket> ConnectPatientlyAsync(string socket)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var connection = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            try
            {
                await connection.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket)).Within();
                return connection;
            }
            catch (System.Net.Sockets.SocketException exception) when (exception.SocketErrorCode is System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.WouldBlock && started.Elapsed < TimeSpan.FromSeconds(30))
            {
                connection.Dispose();
                await Task.Delay(1);
            }
        }
    }
}
