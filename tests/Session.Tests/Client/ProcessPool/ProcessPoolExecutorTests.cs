using System.Runtime.Serialization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using HttpBin;
using ProcessFutures;
using ProcessFutures.Protocol;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>What only the process pool shows: real workers, their isolation, and what may cross to them.</summary>
public sealed class ProcessPoolExecutorTests
{
    private ProcessPoolExecutor _pool = null!;

    [OneTimeSetUp]
    public void StartPool() => _pool = new ProcessPoolExecutor(3, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });

    [OneTimeTearDown]
    public async Task StopPool() => await _pool.DisposeAsync().AsTask().Within();

    [Test]
    public async Task Pool_RunsExactlyMaxWorkersProcesses_ChildrenOfThisProcess()
    {
        await Waits.UntilAsync(() => _pool.WorkerProcessIds.Count == 3, "3 workers to be ready");

        List<int> ofThisPool = WorkerProcesses.WithMarker(_pool.SocketDirectory);

        Assert.That(_pool.MaxWorkers, Is.EqualTo(3));
        Assert.That(ofThisPool, Is.EquivalentTo(_pool.WorkerProcessIds));
        Assert.That(WorkerProcesses.ChildrenOf(Environment.ProcessId), Is.SupersetOf(_pool.WorkerProcessIds));
    }

    [Test]
    public void Pool_MaxWorkersZero_MeansOnePerCore_AndNegativeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ProcessPoolExecutor(-1));
        ArgumentException invalid = Assert.Throws<ArgumentException>(() => _ = new ProcessPoolExecutor(1, new ProcessPoolOptions { ConcurrencyPerWorker = 0, MaxTasksPerWorker = -1, WorkerStartTimeout = TimeSpan.Zero, Transport = (WorkerTransport)7 }));
        Assert.That(invalid.Message, Does.Contain("ConcurrencyPerWorker '0'").And.Contain("MaxTasksPerWorker '-1'").And.Contain("WorkerStartTimeout").And.Contain("Transport '7'"));
    }

    [Test]
    public async Task Pool_KeepsTheOptionsItChecked_WhenTheCallerChangesThemLater()
    {
        var options = new ProcessPoolOptions { LoggerFactory = TestLogging.Factory, ConcurrencyPerWorker = 2 };
        await using var pool = new ProcessPoolExecutor(1, options);

        // Set after the check: a worker started later with no slots would never serve the queue.
        options.ConcurrencyPerWorker = 0;
        options.ShutdownTimeout = TimeSpan.FromSeconds(-5);

        Assert.That(pool.Options.ConcurrencyPerWorker, Is.EqualTo(2));
        Assert.That(pool.Options.ShutdownTimeout, Is.EqualTo(ProcessPoolOptions.DefaultShutdownTimeout));
    }

    [Test]
    public async Task Pool_DefaultSize_IsTheProcessorCount()
    {
        await using var pool = new ProcessPoolExecutor();

        Assert.That(pool.MaxWorkers, Is.EqualTo(Environment.ProcessorCount));
    }

    [Test]
    public async Task Body_Of64MiB_ArrivesIntact()
    {
        await using var session = new FuturesSession(_pool);
        const int length = 64 * 1024 * 1024;

        Response response = await session.GetAsync(TestServer.Url($"/bytes/{length}?seed=3")).Within(60);

        Assert.That(response.Content, Has.Length.EqualTo(length));
        Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(response.Content)), Is.EqualTo(DeterministicBytes.Sha256Hex(length, 3)));
    }

    [Test]
    public async Task Callback_HashesA32MiBBodyInTheWorker_AndOnlyTheHashComesBack()
    {
        await using var session = new FuturesSession(_pool);
        const int length = 32 * 1024 * 1024;
        await Waits.UntilAsync(() => _pool.WorkerProcessIds.Count == 3, "3 workers to be ready");
        Dictionary<int, long> before = _pool.WorkerProcessIds.ToDictionary(pid => pid, WorkerProcesses.BytesWritten);

        Digest digest = await session.GetAsync(TestServer.Url($"/bytes/{length}?seed=4"), Callbacks.Sha256).Within(60);

        // What the worker wrote (to the server and to this process) while it hashed, read from /proc:
        // the request to the server, the head and the digest; not the body it read.
        long crossed = WorkerProcesses.BytesWritten(digest.ComputedInProcess) - before[digest.ComputedInProcess];
        Assert.That(digest.Sha256, Is.EqualTo(DeterministicBytes.Sha256Hex(length, 4)));
        Assert.That(digest.Length, Is.EqualTo(length));
        Assert.That(_pool.WorkerProcessIds, Does.Contain(digest.ComputedInProcess));
        Assert.That(crossed, Is.LessThan(4096), $"only the head and the digest crossed back, not the body ({crossed} bytes did)");
    }

    [Test]
    public async Task Cookies_SetThroughOneWorker_AreSentThroughEveryWorker()
    {
        await using var pool = new ProcessPoolExecutor(2, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        await session.GetAsync(TestServer.Url("/cookies/set?jar=client-owned")).Within();

        // Two at a time, so that both workers (one slot each) serve.
        var seen = new List<Response>();
        for (int i = 0; i < 6; i++)
        {
            seen.AddRange(await Task.WhenAll(session.GetAsync(TestServer.Url("/delay/0.05")), session.GetAsync(TestServer.Url("/cookies"))).Within());
        }

        Response[] cookieResponses = [.. seen.Where(r => r.Url.AbsolutePath == "/cookies")];
        Assert.That(seen.Select(r => r.ProcessId).Distinct().Count(), Is.EqualTo(2), "both workers served");
        Assert.That(cookieResponses.Select(r => r.Json().GetProperty("cookies").GetProperty("jar").GetString()), Is.All.EqualTo("client-owned"));
    }

    [Test]
    public async Task Callback_WithCustomException_SurfacesAsCallbackException_NamingTheOriginal()
    {
        await using var session = new FuturesSession(_pool);

        Task<string> task = session.GetAsync(TestServer.Url("/status/418"), Callbacks.CustomBoom);

        CallbackException exception = Assert.ThrowsAsync<CallbackException>(() => task.Within());
        Assert.That(exception.Message, Is.EqualTo("custom boom on 418"));
        Assert.That(exception.OriginalTypeName, Is.EqualTo(typeof(CustomCallbackFailure).FullName));
        Assert.That(exception.ProcessId, Is.Not.EqualTo(Environment.ProcessId));
        Assert.That(exception.StackTrace, Does.Contain(nameof(Callbacks.CustomBoom)));
        Assert.That(exception.ToString(), Does.Contain(typeof(CustomCallbackFailure).FullName!));
    }

    [Test]
    public async Task Callbacks_ThatCannotCross_AreRefusedSynchronously_NamingTheCallbackAndTheFix()
    {
        await using var session = new FuturesSession(_pool);
        string url = TestServer.Url("/get");
        int captured = 7;
        var instance = new InstanceCallbacks();
        Func<Response, int> multicast = Callbacks.StatusCode;
        multicast += Callbacks.ProcessId;

        Assert.Multiple(() =>
        {
            AssertRefused(() => session.GetAsync(url, response => response.StatusCode), "lambda", "static method");
            AssertRefused(() => session.GetAsync(url, response => response.StatusCode + captured), "lambda", "static method");
            AssertRefused(() => session.GetAsync(url, instance.Status), "InstanceCallbacks.Status", "instance method");
            AssertRefused(() => session.GetAsync(url, multicast), "multicast", "one static method");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsStream), "System.IO.Stream", "stream");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsInterface), "System.IDisposable", "interface");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsObject), "System.Object", "concrete type");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsTask), "Task", "async");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsDelegate), "Func", "delegate");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsAbstract), "Shape", "abstract");
            AssertRefused(() => session.GetAsync(url, Callbacks.ReturnsNestedStream), "HasStream", "stream");
        });
        Assert.That(await session.GetAsync(url, Callbacks.StatusCode).Within(), Is.EqualTo(200), "the pool keeps serving");
    }

    [Test]
    public async Task Session_WrappingAnHttpClient_IsRefusedAtConstruction()
    {
        using var client = new HttpClient();

        SerializationException exception = Assert.Throws<SerializationException>(() => _ = new FuturesSession(client, _pool));

        Assert.That(exception.Message, Does.Contain("HttpClient").And.Contain("SessionOptions").And.Contain("README"));
        await using var session = new FuturesSession(_pool, options: new SessionOptions { Headers = { ["X-Instead"] = "options" } });
        Assert.That((await session.GetAsync(TestServer.Url("/headers")).Within()).Json<Echo>()!.Header("X-Instead"), Is.EqualTo("options"));
    }

    [Test]
    public async Task WorkerSocket_RefusesConnectionsWithoutThePoolsToken()
    {
        await Waits.UntilAsync(() => _pool.WorkerProcessIds.Count == 3, "3 workers to be ready");
        string socket = Directory.EnumerateFiles(_pool.SocketDirectory, "*.sock").First();
        var request = new ClientFrame { Start = new WorkItem() };

        Assert.CatchAsync<IOException>(() => WorkerSockets.FramedCallAsync(socket, request), "no hello: closed unanswered");
        Assert.CatchAsync<IOException>(() => WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(), request), "no token: closed unanswered");
        Assert.CatchAsync<IOException>(() => WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(new string('0', 64)), request), "a wrong token: closed unanswered");

        WorkerFrame[] answer = await WorkerSockets.FramedCallAsync(socket, WorkerSockets.Hello(_pool.Token), request);
        Assert.That(answer.Last().End, Is.True, "with the token, the worker answers (the empty work item with an error)");
        Assert.That(answer.Last().Error, Is.Not.Null);
        await using var session = new FuturesSession(_pool);
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task WorkerSocket_OnGrpc_RefusesCallsWithoutThePoolsToken()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { Transport = WorkerTransport.Grpc });
        await Waits.UntilAsync(() => pool.WorkerProcessIds.Count == 1, "the worker to be ready");
        string socket = Directory.EnumerateFiles(pool.SocketDirectory, "*.sock").Single();

        RpcException missing = Assert.ThrowsAsync<RpcException>(() => CallWorkerAsync(socket, token: null));
        RpcException wrong = Assert.ThrowsAsync<RpcException>(() => CallWorkerAsync(socket, token: new string('0', 64)));

        Assert.That(missing.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        Assert.That(wrong.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        await CallWorkerAsync(socket, pool.Token);
        await using var session = new FuturesSession(pool);
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task SocketDirectory_IsPrivate_AndNoWorkerListensOnTcp()
    {
        await Waits.UntilAsync(() => _pool.WorkerProcessIds.Count == 3, "3 workers to be ready");

        UnixFileMode mode = File.GetUnixFileMode(_pool.SocketDirectory);

        Assert.That(mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(_pool.WorkerProcessIds.Select(WorkerProcesses.ListeningTcpSockets), Is.All.EqualTo(0));
        Assert.That(Directory.EnumerateFiles(_pool.SocketDirectory, "*.sock").Count(), Is.EqualTo(3), "one Unix socket per worker");
    }

    /// <summary>Sends one well-formed call straight to a worker socket; it fails only if the worker refuses it.</summary>
    private static async Task CallWorkerAsync(string socketPath, string? token)
    {
        using GrpcChannel channel = WorkerSockets.Channel(socketPath);
        Metadata headers = token is null ? [] : new Metadata { { ProcessFutures.Internal.GrpcProtocol.TokenHeader, token } };
        await WorkerSockets.GrpcCallAsync(channel, headers, WorkerSockets.Hello().ToByteArray(), new ClientFrame { Start = new WorkItem() }.ToByteArray());
    }

    private static void AssertRefused(TestDelegate call, string names, string says)
    {
        SerializationException exception = Assert.Throws<SerializationException>(call);
        Assert.That(exception.Message, Does.Contain(names).IgnoreCase.And.Contain(says).IgnoreCase.And.Contain("README"), exception.Message);
    }

    private sealed class InstanceCallbacks
    {
        private readonly int _offset = 1;

        public int Status(Response response) => response.StatusCode + _offset;
    }
}
