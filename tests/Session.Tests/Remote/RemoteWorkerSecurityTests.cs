using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Serialization;
using System.Security.Authentication;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ProcessFutures;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;
using Session.Tests.Infrastructure;

namespace Session.Tests.Remote;

/// <summary>
/// What a holder of a remote worker's token can and cannot make it do, and what a client is told
/// when no worker can be reached. The workers here run in a mount namespace of their own with a
/// private /tmp (where unshare allows), as on another machine: the caller's files are not theirs.
/// </summary>
public sealed class RemoteWorkerSecurityTests
{
    private const string Token = "remote-security-token-0123456789";

    private TestCertificate _certificate = null!;
    private RemoteWorkerProcess _worker = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartWorker()
    {
        _certificate = new TestCertificate();
        _worker = await RemoteWorkerProcess.StartAsync("127.0.0.21", _certificate, Token, isolated: RemoteWorkerProcess.CanIsolate);
        _directory = Directory.CreateTempSubdirectory("processfutures-caller-").FullName;
    }

    [OneTimeTearDown]
    public async Task StopWorker()
    {
        await _worker.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task DownloadToAndUploadFrom_NameTheCallersFiles_WhichTheWorkerNeverOpens()
    {
        if (RemoteWorkerProcess.IsolationProblem is { } problem)
        {
            Assert.Ignore($"The worker cannot run with a disk of its own here: {problem}.");
        }

        await using RemoteWorkerExecutor executor = Executor();
        await using var session = new FuturesSession(executor);
        string download = Path.Combine(_directory, "down.bin");
        string upload = Path.Combine(_directory, "up.bin");
        byte[] sent = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 7);
        await File.WriteAllBytesAsync(upload, sent);

        Response downloaded = await session.GetAsync(TestServer.Url("/bytes/5000000?seed=9"), new RequestOptions { DownloadTo = download }).Within(60);
        Response uploaded = await session.PostAsync(TestServer.Url("/upload/sha256"), new RequestOptions { UploadFrom = upload }).Within(60);

        Assert.That(downloaded.ProcessId, Is.EqualTo(_worker.ProcessId), "the worker made the request");
        Assert.That(downloaded.DownloadPath, Is.EqualTo(download));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(download))), Is.EqualTo(HttpBin.DeterministicBytes.Sha256Hex(5000000, 9)), "the file is on the caller's disk, complete");
        Assert.That(uploaded.Json().GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(sent))), "the server got the caller's file, which the worker cannot see");
        Assert.That(uploaded.Json().GetProperty("length").GetInt64(), Is.EqualTo(sent.Length));
        Assert.That(Directory.EnumerateFiles(_directory, "*.partial"), Is.Empty, "no temporary file left");
    }

    [TestCase("../../../tmp/evil")]
    [TestCase("/tmp/evil")]
    [TestCase("..")]
    [TestCase("sub/evil")]
    public async Task ACallbackNamedByAPath_IsRefused_BeforeAnyFileIsTouched(string assemblyName)
    {
        WorkerFrame[] answer = await CallWorkerAsync(Item(new Callback { AssemblyName = assemblyName, TypeName = "Evil", MethodName = "Run", ModuleVersionId = Guid.Empty.ToString("N") }));

        Assert.That(answer.Last().Error?.Kind, Is.EqualTo(ErrorKind.Rejected));
        Assert.That(answer.Last().Error.Message, Does.Contain("not a plain assembly name"));
    }

    [Test]
    public async Task ACallbackWithAFilePath_OrARequestNamingAPath_IsRefused()
    {
        WorkerFrame[] withFile = await CallWorkerAsync(Item(new Callback { AssemblyName = typeof(Callbacks).Assembly.FullName, AssemblyPath = "/tmp/evil.dll", TypeName = typeof(Callbacks).FullName, MethodName = nameof(Callbacks.StatusCode) }));
        WorkItem download = Item(callback: null);
        download.Request.BodyMode = BodyMode.Download;
        download.Request.DownloadPath = "/tmp/planted.dll";
        WorkerFrame[] writing = await CallWorkerAsync(download);
        WorkItem upload = Item(callback: null);
        upload.Request.UploadPath = "/etc/passwd";
        WorkerFrame[] reading = await CallWorkerAsync(upload);

        Assert.That(withFile.Last().Error.Message, Does.Contain("never loads from a path"));
        Assert.That(writing.Last().Error.Message, Does.Contain("never opens a path"));
        Assert.That(reading.Last().Error.Message, Does.Contain("never opens a path"));
    }

    [Test]
    public async Task ANonPublicCallback_IsRefused_ByTheClient_AndByTheWorker()
    {
        await using RemoteWorkerExecutor executor = Executor();
        await using var session = new FuturesSession(executor);

        SerializationException refused = Assert.Throws<SerializationException>(() => session.GetAsync(TestServer.Url("/get"), InternalCallbacks.StatusCode))!;
        WorkerFrame[] answer = await CallWorkerAsync(Item(new Callback { AssemblyName = typeof(Callbacks).Assembly.FullName, TypeName = typeof(InternalCallbacks).FullName, MethodName = nameof(InternalCallbacks.StatusCode), ModuleVersionId = Guid.Empty.ToString("N") }));

        Assert.That(refused.Message, Does.Contain("public"));
        Assert.That(answer.Last().Error.Message, Does.Contain("no public type"));
        Assert.That((await session.GetAsync(TestServer.Url("/get"), Callbacks.StatusCode).Within(30)), Is.EqualTo(200), "a public one runs");
    }

    [Test]
    public async Task AnUnreachableWorker_FailsARequestWithinItsTimeout_SayingWhy()
    {
        await using var executor = new RemoteWorkerExecutor("static:///127.0.0.1:1", new RemoteWorkerOptions { Token = Token, TrustedCertificate = _certificate.Certificate });
        await using var session = new FuturesSession(executor);
        long started = Stopwatch.GetTimestamp();

        TaskCanceledException timedOut = Assert.ThrowsAsync<TaskCanceledException>(() => session.GetAsync(TestServer.Url("/get"), new RequestOptions { Timeout = TimeSpan.FromSeconds(2) }).Within(30))!;

        Assert.That(Stopwatch.GetElapsedTime(started), Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(timedOut.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(timedOut.Message, Does.Contain("no worker was serving").And.Contain("refused"), timedOut.Message);
        Assert.That(timedOut.InnerException!.InnerException, Is.InstanceOf<HttpRequestException>().With.Property(nameof(HttpRequestException.HttpRequestError)).EqualTo(HttpRequestError.ConnectionError));
        Assert.That(timedOut.InnerException.InnerException!.InnerException, Is.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    public async Task AnUntrustedWorker_FailsQueuedRequestsAfterUnavailableTimeout_WithTheCertificatesProblem()
    {
        // The system's trust store does not know the test's self-signed certificate.
        await using var executor = new RemoteWorkerExecutor($"static:///{_worker.Endpoint}", new RemoteWorkerOptions { Token = Token, UnavailableTimeout = TimeSpan.FromSeconds(2) });
        await using var session = new FuturesSession(executor);
        long started = Stopwatch.GetTimestamp();

        HttpRequestException unavailable = Assert.ThrowsAsync<HttpRequestException>(() => session.GetAsync(TestServer.Url("/get"), new RequestOptions { Timeout = Timeout.InfiniteTimeSpan }).Within(30))!;

        Assert.That(Stopwatch.GetElapsedTime(started), Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)).And.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(unavailable.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
        Assert.That(unavailable.Message, Does.Contain("UnavailableTimeout").And.Contain(_worker.Endpoint), unavailable.Message);
        Assert.That(unavailable.InnerException, Is.InstanceOf<AuthenticationException>(), "the TLS error is the cause");
        Assert.That(unavailable.InnerException!.Message, Does.Contain("certificate"));
        Assert.That(executor.WorkerAddresses, Is.Empty);
    }

    [Test]
    public async Task AWrongToken_IsRefused_AndLoggedWithTheCallersAddress_NeverTheToken()
    {
        const string Wrong = "a-wrong-token-that-must-not-be-logged";

        Assert.ThrowsAsync<RpcException>(() => CallWorkerAsync(Item(callback: null), Wrong));

        await Waits.UntilAsync(() => _worker.Output.Contains("did not carry the worker's token", StringComparison.Ordinal), "the worker to log the refusal");
        string line = _worker.Output.Split('\n').Last(l => l.Contains("did not carry the worker's token", StringComparison.Ordinal));
        Assert.That(line, Does.Contain("127.0.0.1"), "the caller's address");
        Assert.That(_worker.Output, Does.Not.Contain(Wrong));
    }

    [Test]
    public async Task ACallbackThatCannotBeLoaded_IsLogged_WithItsName()
    {
        WorkerFrame[] answer = await CallWorkerAsync(Item(new Callback { AssemblyName = "NoSuchCallbacks", TypeName = "Missing", MethodName = "Run", ModuleVersionId = Guid.Empty.ToString("N") }));

        Assert.That(answer.Last().Error?.Kind, Is.EqualTo(ErrorKind.Rejected));
        await Waits.UntilAsync(() => _worker.Output.Contains("Missing.Run", StringComparison.Ordinal), "the worker to log the callback it could not load");
        Assert.That(_worker.Output, Does.Contain("was refused (callback"));
    }

    [Test]
    public async Task AClientThatGoesAwayMidRequest_IsLogged_AndItsRequestCancelled()
    {
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using GrpcChannel channel = GrpcChannel.ForAddress($"https://{_worker.Endpoint}", new GrpcChannelOptions { HttpHandler = handler });
        WorkItem item = Item(callback: null);
        item.CallId = 7_000_001;
        item.Request.Url = TestServer.Url("/delay/20");
        using (AsyncDuplexStreamingCall<Frame, Frame> call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(GrpcProtocol.Serve, host: null, new CallOptions(new Metadata { { GrpcProtocol.TokenHeader, Token } })))
        {
            await call.RequestStream.WriteAsync(new Frame(WorkerSockets.Hello().ToByteArray())).Within();
            await call.RequestStream.WriteAsync(new Frame(new ClientFrame { Start = item }.ToByteArray())).Within();
            await Waits.UntilAsync(() => TestServer.Instance.InFlight >= 1, "the worker to be running the request");
        }

        // Disposing the call without ending it cancels it: the worker sees its client go.
        await Waits.UntilAsync(() => _worker.Output.Contains("call 7000001", StringComparison.Ordinal), "the worker to log the client that went away");
        Assert.That(_worker.Output, Does.Contain("A client went away while its request (call 7000001) ran; the request was cancelled."));
    }

    private RemoteWorkerExecutor Executor() =>
        new($"static:///{_worker.Endpoint}", new RemoteWorkerOptions { Token = Token, TrustedCertificate = _certificate.Certificate, LoggerFactory = TestLogging.Factory });

    private static WorkItem Item(Callback? callback) => new()
    {
        CallId = 1,
        Request = new HttpRequest { Method = "GET", Url = TestServer.Url("/get"), Transport = new TransportSettings { VerifyTls = true } },
        Callback = callback,
    };

    /// <summary>One request straight to the worker, as a token holder with a client of its own would send it.</summary>
    private async Task<WorkerFrame[]> CallWorkerAsync(WorkItem item, string token = Token)
    {
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using GrpcChannel channel = GrpcChannel.ForAddress($"https://{_worker.Endpoint}", new GrpcChannelOptions { HttpHandler = handler });
        var headers = new Metadata { { GrpcProtocol.TokenHeader, token } };
        return await WorkerSockets.GrpcCallAsync(channel, headers, WorkerSockets.Hello().ToByteArray(), new ClientFrame { Start = item }.ToByteArray());
    }
}

/// <summary>A callback that is not public: a remote worker does not run it.</summary>
internal static class InternalCallbacks
{
    public static int StatusCode(Response response) => response.StatusCode;
}
