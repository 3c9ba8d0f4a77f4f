using System.Diagnostics;
using System.Runtime.Serialization;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// Big bodies through real workers when things go wrong: a reader that stops reading, a reader
/// that gives up early, a worker killed while streaming or downloading, callbacks that cannot
/// cross for their async shape or their streamed result.
/// </summary>
public sealed class StreamingFaultTests
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;

    [Test]
    public async Task ReaderThatStopsReading_DoesNotGrowTheWorker_OrTheCaller_PastTheWindow()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        await using Response response = await session.GetAsync(TestServer.Url($"/bytes/{4 * GiB}"), new RequestOptions { Stream = true }).Within();
        byte[] buffer = new byte[1 << 20];
        await response.ContentStream.ReadAtLeastAsync(buffer, buffer.Length).AsTask().Within();
        long workerBase = PeakMemory.Reset(worker);
        long callerBase = PeakMemory.Reset(Environment.ProcessId);
        await Task.Delay(TimeSpan.FromSeconds(3));

        long workerGrowth = PeakMemory.Peak(worker) - workerBase;
        long callerGrowth = PeakMemory.Peak(Environment.ProcessId) - callerBase;
        await TestContext.Out.WriteLineAsync($"a stalled 4 GiB stream, 3 s later: worker peak grew {workerGrowth / MiB} MiB, caller {callerGrowth / MiB} MiB");
        Assert.That(workerGrowth, Is.LessThan(16 * MiB), "the worker stopped reading the server");
        Assert.That(callerGrowth, Is.LessThan(16 * MiB), "at most the stream window waits in the caller");
    }

    [Test]
    public async Task DisposingAStreamedResponseEarly_AbortsTheExchange_AndFreesTheSlot_WithoutKillingTheWorker()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        Response streamed = await session.GetAsync(TestServer.Url($"/bytes/{4 * GiB}"), new RequestOptions { Stream = true }).Within();
        await streamed.ContentStream.ReadAtLeastAsync(new byte[100_000], 100_000).AsTask().Within();
        var clock = Stopwatch.StartNew();
        await streamed.DisposeAsync();
        Response next = await session.GetAsync(TestServer.Url("/get")).Within();

        await TestContext.Out.WriteLineAsync($"the slot served the next request {clock.Elapsed.TotalMilliseconds:F0} ms after the early disposal");
        Assert.That(next.ProcessId, Is.EqualTo(worker), "the same worker: it ended the exchange, it was not killed");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "freed without waiting for the grace period");
        Assert.That(() => streamed.ContentStream.ReadAsync(new byte[10]).AsTask(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [TestCase(WorkerTransport.Socket)]
    [TestCase(WorkerTransport.Grpc)]
    public async Task WorkerKilledMidStream_TheReaderGetsWorkerCrashedException_AndThePoolServesOn(WorkerTransport transport)
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory, Transport = transport });
        await using var session = new FuturesSession(pool);
        int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;

        await using Response streamed = await session.GetAsync(TestServer.Url($"/bytes/{4 * GiB}"), new RequestOptions { Stream = true }).Within();
        byte[] buffer = new byte[1 << 20];
        await streamed.ContentStream.ReadAtLeastAsync(buffer, buffer.Length).AsTask().Within();
        Process.GetProcessById(worker).Kill();

        WorkerCrashedException crash = Assert.CatchAsync<WorkerCrashedException>(async () =>
        {
            while (await streamed.ContentStream.ReadAsync(buffer).AsTask().Within() > 0)
            {
            }
        })!;
        Response next = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(crash.ProcessId, Is.EqualTo(worker));
        Assert.That(crash.ExitCode, Is.EqualTo(137));
        Assert.That(next.ProcessId, Is.Not.EqualTo(worker));
    }

    [Test]
    public async Task PoolDisposedWhileAStreamedResponseIsHeldUnread_Ends_AndTheReaderGetsWorkerCrashedException()
    {
        var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory, ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        await using var session = new FuturesSession(pool);
        await using Response streamed = await session.GetAsync(TestServer.Url($"/bytes/{4 * GiB}"), new RequestOptions { Stream = true }).Within();
        byte[] buffer = new byte[1 << 20];
        await streamed.ContentStream.ReadAtLeastAsync(buffer, buffer.Length).AsTask().Within();

        // Nobody reads or disposes the body while the pool goes: its worker is killed after the
        // grace period, and the slot must not wait for a reader that may never come.
        await pool.DisposeAsync().Within();

        Assert.CatchAsync<WorkerCrashedException>(async () =>
        {
            while (await streamed.ContentStream.ReadAsync(buffer).AsTask().Within() > 0)
            {
            }
        });
    }

    [Test]
    public async Task WorkerKilledMidDownload_FailsTheTask_AndLeavesNoFile()
    {
        string directory = Directory.CreateTempSubdirectory("processfutures-kill-").FullName;
        try
        {
            await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
            await using var session = new FuturesSession(pool);
            int worker = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;
            string path = Path.Combine(directory, "big.bin");
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var options = new RequestOptions { DownloadTo = path, Progress = new SyncProgress<TransferProgress>(p => { if (p.BytesReceived > 10 * MiB) { started.TrySetResult(); } }) };

            Task<Response> download = session.GetAsync(TestServer.Url($"/stream-bytes/{8 * GiB}"), options);
            await started.Task.Within();
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(1), "the temporary file is being written");
            Process.GetProcessById(worker).Kill();

            WorkerCrashedException crash = Assert.ThrowsAsync<WorkerCrashedException>(() => download.Within())!;
            Assert.That(crash.ProcessId, Is.EqualTo(worker));
            Assert.That(Directory.GetFiles(directory), Is.Empty, "no file under the final name, no temporary file: the caller removed what the dead worker left");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task AsyncCallbacksThatCannotCross_AreRefusedAtTheCall_AndAStreamedResultFailsOnlyItsTask()
    {
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        string url = TestServer.Url("/get");
        int captured = 3;

        Assert.That(() => session.GetAsync(url, async (response, token) => { await Task.Yield(); return response.StatusCode; }), Throws.InstanceOf<SerializationException>().With.Message.Contains("lambda"));
        Assert.That(() => session.GetAsync(url, (response, token) => Task.FromResult(captured)), Throws.InstanceOf<SerializationException>());
        Assert.That(() => session.GetAsync(url, StreamingCallbacks.ReturnsAStreamAsync), Throws.InstanceOf<SerializationException>().With.Message.Contains("Stream"));
        SerializationException streamedResult = Assert.ThrowsAsync<SerializationException>(() => session.GetAsync(url, Callbacks.Identity, new RequestOptions { Stream = true }).Within())!;
        Assert.That(streamedResult.Message, Does.Contain("streamed Response"));
        Assert.That((await session.GetAsync(url).Within()).StatusCode, Is.EqualTo(200));
    }
}

/// <summary>Async callbacks whose results cannot come back from a worker.</summary>
public static class StreamingCallbacks
{
    public static Task<Stream> ReturnsAStreamAsync(Response response, CancellationToken cancellationToken) => Task.FromResult(response.ContentStream);
}
