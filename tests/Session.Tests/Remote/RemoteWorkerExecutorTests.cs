using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Runtime.Serialization;
using Grpc.Core;
using Grpc.Net.Client;
using ProcessFutures;
using ProcessFutures.Internal;
using Session.Tests.Infrastructure;

namespace Session.Tests.Remote;

/// <summary>
/// Workers elsewhere, simulated on loopback addresses (127.0.0.2, .3, .4 …), each its own process
/// in remote mode: TLS with a certificate made here, a token required. The same sessions,
/// callbacks and errors as the local pool.
/// </summary>
public sealed class RemoteWorkerExecutorTests
{
    private const string Token = "remote-test-token-0123456789";

    private TestCertificate _certificate = null!;
    private RemoteWorkerProcess[] _workers = [];

    [OneTimeSetUp]
    public async Task StartWorkers()
    {
        _certificate = new TestCertificate();
        _workers = await Task.WhenAll(new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" }.Select(a => RemoteWorkerProcess.StartAsync(a, _certificate, Token)));
    }

    [OneTimeTearDown]
    public async Task StopWorkers()
    {
        foreach (RemoteWorkerProcess worker in _workers)
        {
            await worker.DisposeAsync();
        }

        _certificate.Dispose();
    }

    [Test]
    public async Task Requests_SpreadOverEveryWorker_AndCallbacksRunThere()
    {
        await using RemoteWorkerExecutor executor = Create(Static(_workers));
        await using var session = new FuturesSession(executor);
        await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 3, "three remote workers to be ready");

        Response[] responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => session.GetAsync(TestServer.Url($"/delay/0.05?i={i}")))).Within(60);
        int[] callbackPids = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => session.GetAsync(TestServer.Url("/get"), Callbacks.ProcessId))).Within(60);

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(200));
        Assert.That(responses.Select(r => r.ProcessId).Distinct(), Is.EquivalentTo(_workers.Select(w => w.ProcessId)), "every worker served, counted by pid");
        Assert.That(callbackPids, Is.All.AnyOf(_workers.Select(w => (object)w.ProcessId).ToArray()), "callbacks ran in the workers, found there by assembly name");
    }

    [Test]
    public async Task AWorkerKilledMidRun_FailsOnlyItsRequests_AndTheRestComplete()
    {
        await using var certificateWorkers = new WorkerSet(await Task.WhenAll(new[] { "127.0.0.5", "127.0.0.6" }.Select(a => RemoteWorkerProcess.StartAsync(a, _certificate, Token))));
        await using RemoteWorkerExecutor executor = Create(Static(certificateWorkers.Workers), concurrency: 2);
        await using var session = new FuturesSession(executor);
        await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 2, "two remote workers to be ready");
        RemoteWorkerProcess victim = certificateWorkers.Workers[0];

        Task<Response>[] tasks = [.. Enumerable.Range(0, 12).Select(i => session.GetAsync(TestServer.Url($"/delay/1?i={i}")))];
        await Waits.UntilAsync(() => TestServer.Instance.InFlight >= 4, "both workers to be running requests");
        victim.Kill();
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(30)));

        Task<Response>[] failed = [.. tasks.Where(t => t.IsFaulted)];
        Assert.That(tasks.All(t => t.IsCompleted), Is.True, "every task ended");
        Assert.That(failed, Has.Length.InRange(1, 2), "only what the killed worker was running");
        foreach (Task<Response> task in failed)
        {
            WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => task)!;
            Assert.That(crash.Message, Does.Contain(victim.Endpoint).And.Contain("not retried"));
        }

        Assert.That(tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result.ProcessId), Is.All.EqualTo(certificateWorkers.Workers[1].ProcessId));
        Assert.That(executor.WorkerAddresses, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AWorkerAddedToTheTarget_GetsTrafficAfterReResolution()
    {
        var target = new ConcurrentQueue<WorkerEndpoint>(_workers.Select(w => new WorkerEndpoint(IPAddress.Parse(w.Address), w.Address, w.Port)));
        await using RemoteWorkerProcess fourth = await RemoteWorkerProcess.StartAsync("127.0.0.7", _certificate, Token);
        var options = new RemoteWorkerOptions { Token = Token, TrustedCertificate = _certificate.Certificate, ResolveInterval = TimeSpan.FromMilliseconds(300), LoggerFactory = TestLogging.Factory };
        await using var executor = new RemoteWorkerExecutor("dns:///workers.test:1", options, _ => Task.FromResult<IReadOnlyList<WorkerEndpoint>>([.. target]));
        await using var session = new FuturesSession(executor);
        await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 3, "three remote workers to be ready");

        target.Enqueue(new WorkerEndpoint(IPAddress.Parse(fourth.Address), fourth.Address, fourth.Port));
        await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 4, "the fourth worker to be found by re-resolution");
        Response[] responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => session.GetAsync(TestServer.Url($"/delay/0.05?i={i}")))).Within(60);

        Assert.That(responses.Select(r => r.ProcessId), Does.Contain(fourth.ProcessId));
    }

    [Test]
    public async Task DisposeAsync_WhileAWorkerDroppedByReResolutionStillRuns_WaitsForItsRequest()
    {
        RemoteWorkerProcess worker = _workers[0];
        IReadOnlyList<WorkerEndpoint> target = [new WorkerEndpoint(IPAddress.Parse(worker.Address), worker.Address, worker.Port)];
        var options = new RemoteWorkerOptions { Token = Token, TrustedCertificate = _certificate.Certificate, ResolveInterval = TimeSpan.FromMilliseconds(200), LoggerFactory = TestLogging.Factory };
        var executor = new RemoteWorkerExecutor("dns:///workers.test:1", options, _ => Task.FromResult(Volatile.Read(ref target)));
        Task<Response> running;
        bool endedBeforeDisposal;
        await using (var session = new FuturesSession(executor))
        {
            await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 1, "the remote worker to be ready");
            running = session.GetAsync(TestServer.Url("/delay/2"));
            await Waits.UntilAsync(() => TestServer.Instance.InFlight >= 1, "the request to be running");
            Volatile.Write(ref target, []);
            await Waits.UntilAsync(() => executor.WorkerAddresses.Count == 0, "the worker to be dropped by re-resolution");
            await executor.DisposeAsync().AsTask().Within(30);
            endedBeforeDisposal = running.IsCompleted;
        }

        Assert.That(endedBeforeDisposal, Is.True, "disposal waited for the draining worker's request (within its grace period)");
        Assert.That((await running).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ADnsTarget_ResolvesToItsWorkers()
    {
        await using RemoteWorkerProcess local = await RemoteWorkerProcess.StartAsync("127.0.0.1", _certificate, Token);
        await using RemoteWorkerExecutor executor = Create($"dns:///localhost:{local.Port}");
        await using var session = new FuturesSession(executor);

        Response response = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(response.ProcessId, Is.EqualTo(local.ProcessId), "localhost resolved to 127.0.0.1, where the worker listens");
    }

    [Test]
    public async Task CallsWithoutTheToken_WithAWrongOne_OrWithoutTls_AreRefused()
    {
        RemoteWorkerProcess worker = _workers[0];
        await using RemoteWorkerExecutor wrong = Create(Static([worker]), token: "not-the-token");
        await using var session = new FuturesSession(wrong);

        UnauthorizedAccessException refused = Assert.ThrowsAsync<UnauthorizedAccessException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;
        Assert.That(refused.Message, Does.Contain("token"));

        using var tls = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using GrpcChannel noToken = GrpcChannel.ForAddress($"https://{worker.Endpoint}", new GrpcChannelOptions { HttpHandler = tls });
        RpcException unauthenticated = Assert.ThrowsAsync<RpcException>(() => WorkerSockets.GrpcCallAsync(noToken, []))!;
        Assert.That(unauthenticated.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));

        using GrpcChannel plain = GrpcChannel.ForAddress($"http://{worker.Endpoint}");
        Metadata withToken = new() { { "x-processfutures-token", Token } };
        Assert.That(() => WorkerSockets.GrpcCallAsync(plain, withToken), Throws.InstanceOf<RpcException>().Or.InstanceOf<HttpRequestException>(), "plain TCP without TLS gets nowhere");

        (int exitCode, string output) = await RemoteWorkerProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["PROCESSFUTURES_TOKEN"] = Token,
            ["PROCESSFUTURES_LISTEN"] = "http://127.0.0.8:5080",
        });
        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(output, Does.Contain("TLS only").And.Contain("PROCESSFUTURES_CERTIFICATE"));
    }

    [Test]
    public async Task ACallbackTheWorkerDoesNotHave_IsRefused_NamingTheAssemblyAndType()
    {
        string quickstart = Path.Combine(ProcessRunner.RepositoryRoot(), "samples", "Quickstart", "bin", ProcessRunner.Configuration(), "net10.0", "Quickstart.dll");
        Assume.That(File.Exists(quickstart), "the solution's build made the quickstart");
        MethodInfo method = Assembly.LoadFrom(quickstart).GetType("Quickstart.Callbacks")!.GetMethod("ParseArgs")!;
        var callback = (Func<Response, Dictionary<string, string>>)Delegate.CreateDelegate(typeof(Func<Response, Dictionary<string, string>>), method);
        await using RemoteWorkerExecutor executor = Create(Static([_workers[1]]));
        await using var session = new FuturesSession(executor);

        SerializationException refused = Assert.ThrowsAsync<SerializationException>(() => session.GetAsync(TestServer.Url("/get"), callback).Within())!;
        Response after = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(refused.Message, Does.Contain("'Quickstart'").And.Contain("Quickstart.Callbacks.ParseArgs").And.Contain("image"));
        Assert.That(after.ProcessId, Is.EqualTo(_workers[1].ProcessId), "the worker serves on");
    }

    [Test]
    public async Task AWorkerRequiringClientCertificates_ServesThoseThatPresentOne_AndItsHealthzAnyone()
    {
        await using RemoteWorkerProcess strict = await RemoteWorkerProcess.StartAsync("127.0.0.8", _certificate, Token, environment: new Dictionary<string, string>
        {
            ["PROCESSFUTURES_CLIENT_CA"] = _certificate.CertificatePath,
        });
        var withCertificate = new RemoteWorkerOptions { Token = Token, TrustedCertificate = _certificate.Certificate, ClientCertificate = _certificate.Certificate, LoggerFactory = TestLogging.Factory };
        await using var accepted = new RemoteWorkerExecutor(Static([strict]), withCertificate);
        await using var acceptedSession = new FuturesSession(accepted);
        await using RemoteWorkerExecutor without = Create(Static([strict]));
        await using var refusedSession = new FuturesSession(without);

        Response response = await acceptedSession.GetAsync(TestServer.Url("/get")).Within();
        UnauthorizedAccessException refused = Assert.ThrowsAsync<UnauthorizedAccessException>(() => refusedSession.GetAsync(TestServer.Url("/get")).Within())!;
        using var probe = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        HttpResponseMessage health = await probe.GetAsync($"https://{strict.Endpoint}/healthz").Within();

        Assert.That(response.ProcessId, Is.EqualTo(strict.ProcessId));
        Assert.That(refused.Message, Does.Contain("refused"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a readiness probe needs neither token nor certificate");
    }

    private RemoteWorkerExecutor Create(string target, int concurrency = 4, string token = Token) => new(target, new RemoteWorkerOptions
    {
        Token = token,
        TrustedCertificate = _certificate.Certificate,
        ConcurrencyPerWorker = concurrency,
        ResolveInterval = TimeSpan.FromSeconds(1),
        LoggerFactory = TestLogging.Factory,
    });

    private static string Static(IEnumerable<RemoteWorkerProcess> workers) => "static:///" + string.Join(',', workers.Select(w => w.Endpoint));

    /// <summary>Workers started for one test, stopped after it.</summary>
    private sealed class WorkerSet(RemoteWorkerProcess[] workers) : IAsyncDisposable
    {
        public RemoteWorkerProcess[] Workers { get; } = workers;

        public async ValueTask DisposeAsync()
        {
            foreach (RemoteWorkerProcess worker in Workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
