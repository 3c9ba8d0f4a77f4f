using System.Diagnostics;
using System.Runtime.Serialization;
using System.Text;
using ProcessFutures;
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

        string[] workerSockets = DiagnosticSocketsSince(worker, before);
        Process.GetProcessById(worker).Kill();
        await Waits.UntilAsync(() => !WorkerProcesses.IsAlive(worker), "the worker to die");

        Assert.That(ownSockets, Is.Not.Empty, "this process has one (the check looks in the right place)");
        Assert.That(workerSockets, Is.Empty, "the worker never made one");
        Assert.That(DiagnosticSocketsSince(worker, before), Is.Empty);
    }

    private static string[] DiagnosticSocketsSince(int pid, DateTime since) =>
        [.. Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*").Where(path => File.GetLastWriteTimeUtc(path) >= since)];
}
