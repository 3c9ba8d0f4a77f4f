using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>
/// What a server or a caller sends must not make a process allocate without bound, whichever
/// executor runs the request: an announced length is not a reason to allocate, and a request
/// that ends before it starts leaves nothing behind.
/// </summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class HostileInputTests(ExecutorKind kind)
{
    private const long BigFile = 1_500_000_000;

    private IRequestExecutor _executor = null!;

    [OneTimeSetUp]
    public void CreateExecutor() => _executor = Executors.Create(kind, capacity: 4);

    [OneTimeTearDown]
    public async Task DisposeExecutor() => await _executor.DisposeAsync().AsTask().Within();

    [Test]
    public async Task Head_OfAHugeFile_DoesNotAllocateItsAnnouncedLength()
    {
        await using var session = new FuturesSession(_executor);
        await session.HeadAsync(TestServer.Url("/bytes/10")).Within();
        long before = GC.GetTotalAllocatedBytes(precise: true);

        Response[] heads = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => session.HeadAsync(TestServer.Url($"/bytes/{BigFile}")))).Within(120);

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await TestContext.Out.WriteLineAsync($"{kind}: 3 HEADs of a {BigFile:N0}-byte file allocated {allocated:N0} bytes in this process");
        Assert.That(heads.Select(h => h.Headers["Content-Length"]), Is.All.EqualTo(BigFile.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(heads.Select(h => h.Content.Length), Is.All.Zero);
        Assert.That(allocated, Is.LessThan(64L << 20), "the announced length is not allocated");
    }

    [Test]
    public async Task Head_OfAHugeFile_WithACallback_DoesNotAllocateItsAnnouncedLengthWhereTheCallbackRuns()
    {
        await using var session = new FuturesSession(_executor);
        // Each process's count before the big HEAD, from small HEADs that reach every worker the
        // executor spreads over (a worker has served other tests: compare like with like).
        var before = new Dictionary<int, long>();
        for (int i = 0; i < 16; i++)
        {
            Allocation small = await session.HeadAsync(TestServer.Url("/bytes/10"), HostileCallbacks.AllocatedBytes).Within();
            before[small.ProcessId] = small.Bytes;
        }

        Allocation big = await session.HeadAsync(TestServer.Url($"/bytes/{BigFile}"), HostileCallbacks.AllocatedBytes).Within(120);

        Assert.That(before, Does.ContainKey(big.ProcessId), "the big HEAD was served by a worker that answered a small one");
        long allocated = big.Bytes - before[big.ProcessId];
        await TestContext.Out.WriteLineAsync($"{kind}: the big HEAD cost its worker up to {allocated:N0} bytes");
        Assert.That(allocated, Is.LessThan(64L << 20), "no worker allocated the announced length");
    }

    [Test]
    public async Task PreCancelledRequests_WithBodies_LeaveNothingHeld()
    {
        await using var session = new FuturesSession(_executor);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await session.GetAsync(TestServer.Url("/get")).Within();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        for (int i = 0; i < 300; i++)
        {
            Task<Response> task = session.PostAsync(TestServer.Url("/post"), new RequestOptions { Body = new byte[1 << 20] }, cancelled.Token);
            Assert.That(task.IsCanceled, Is.True);
        }

        await Task.Delay(100);
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        await TestContext.Out.WriteLineAsync($"{kind}: 300 pre-cancelled 1 MiB posts left {held / (1 << 20):N0} MiB held");
        Assert.That(held, Is.LessThan(32L << 20), "the cancelled requests and their bodies are collectable while the session lives");
    }
}
