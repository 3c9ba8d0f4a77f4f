using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using HttpBin;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>
/// Bodies of any size, never whole in memory, the same through both executors: streamed
/// (<see cref="RequestOptions.Stream"/>), saved to a file (<see cref="RequestOptions.DownloadTo"/>),
/// uploaded from a file (<see cref="RequestOptions.UploadFrom"/>), with progress, and a cap on what
/// is buffered. Memory is measured as the growth of each process's peak resident size (VmHWM,
/// reset before the operation): the caller (this test process) and, for the pool, its workers.
/// </summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class BigBodyTests(ExecutorKind kind)
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;

    private static readonly ConcurrentDictionary<(long, ulong), string> s_hashes = new();

    private IRequestExecutor _executor = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public void CreateExecutor()
    {
        _executor = Executors.Create(kind, capacity: 4);
        _directory = Directory.CreateTempSubdirectory("processfutures-bodies-").FullName;
    }

    [OneTimeTearDown]
    public async Task DisposeExecutor()
    {
        await _executor.DisposeAsync().AsTask().Within();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task DownloadTo_1GiB_LeavesTheRightFile_NoTemporaryFile_InBoundedMemory()
    {
        await using var session = new FuturesSession(_executor);
        string path = Path.Combine(_directory, "one-gib.bin");
        await session.GetAsync(TestServer.Url("/bytes/1000"), new RequestOptions { DownloadTo = path }).Within();
        Memory memory = Memory.Start(_executor);

        Response response = await session.GetAsync(TestServer.Url($"/bytes/{GiB}?seed=11"), new RequestOptions { DownloadTo = path }).Within(180);

        (long caller, long worker) = memory.Growth();
        await Report($"DownloadTo 1 GiB: caller peak growth {caller / MiB} MiB, worker {worker / MiB} MiB");
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.DownloadPath, Is.EqualTo(path));
        Assert.That(response.Content, Is.Empty);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(GiB));
        Assert.That(await HashFileAsync(path), Is.EqualTo(Expected(GiB, 11)));
        Assert.That(Leftovers(), Is.Empty, "no temporary file left");
        Assert.That(caller, Is.LessThan(64 * MiB), "the caller's peak grew by less than 64 MB");
        Assert.That(worker, Is.LessThan(96 * MiB), "a worker's peak grew by less than 96 MB");
        File.Delete(path);
    }

    [Test]
    public async Task StreamedAsyncCallback_Hashes1GiB_WhereItRuns_InBoundedMemory()
    {
        await using var session = new FuturesSession(_executor);
        await session.GetAsync(TestServer.Url("/bytes/1000"), BigBodyCallbacks.HashStreamAsync, new RequestOptions { Stream = true }).Within();
        Memory memory = Memory.Start(_executor);

        Digest digest = await session.GetAsync(TestServer.Url($"/stream-bytes/{GiB}?seed=12"), BigBodyCallbacks.HashStreamAsync, new RequestOptions { Stream = true }).Within(180);

        (long caller, long worker) = memory.Growth();
        await Report($"streamed async callback over 1 GiB: caller peak growth {caller / MiB} MiB, worker {worker / MiB} MiB");
        Assert.That(digest.Length, Is.EqualTo(GiB));
        Assert.That(digest.Sha256, Is.EqualTo(Expected(GiB, 12)));
        Assert.That(digest.ComputedInProcess, kind.RunsElsewhere() ? Is.Not.EqualTo(Environment.ProcessId) : Is.EqualTo(Environment.ProcessId));
        Assert.That(caller, Is.LessThan(64 * MiB));
        Assert.That(worker, Is.LessThan(96 * MiB), "the worker hashed it in constant memory");
    }

    [Test]
    public async Task Stream_Reads1GiB_ThroughContentStream_InBoundedMemory()
    {
        await using var session = new FuturesSession(_executor);
        Memory memory = Memory.Start(_executor);

        await using Response response = await session.GetAsync(TestServer.Url($"/bytes/{GiB}?seed=13"), new RequestOptions { Stream = true }).Within();
        (long length, string hash) = await HashAsync(response.ContentStream).Within(180);

        (long caller, long worker) = memory.Growth();
        await Report($"Stream 1 GiB through ContentStream: caller peak growth {caller / MiB} MiB, worker {worker / MiB} MiB");
        Assert.That(response.Headers["Content-Length"], Is.EqualTo(GiB.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(length, Is.EqualTo(GiB));
        Assert.That(hash, Is.EqualTo(Expected(GiB, 13)));
        Assert.That(caller, Is.LessThan(64 * MiB));
        Assert.That(worker, Is.LessThan(96 * MiB));
    }

    [Test]
    public async Task Stream_Of3GiB_Works()
    {
        await using var session = new FuturesSession(_executor);
        long size = 3 * GiB;

        await using Response response = await session.GetAsync(TestServer.Url($"/stream-bytes/{size}?seed=14"), new RequestOptions { Stream = true }).Within();
        (long length, string hash) = await HashAsync(response.ContentStream).Within(300);

        Assert.That(length, Is.EqualTo(size), "more than a byte[] can hold");
        Assert.That(hash, Is.EqualTo(Expected(size, 14)));
    }

    [Test]
    public async Task UploadFrom_256MiB_ArrivesIntact_WithoutTheCallerReadingIt()
    {
        await using var session = new FuturesSession(_executor);
        string path = Path.Combine(_directory, "upload.bin");
        await WriteDeterministicFileAsync(path, 256 * MiB, seed: 15);
        Memory memory = Memory.Start(_executor);

        Response response = await session.PostAsync(TestServer.Url("/upload/sha256"), new RequestOptions { UploadFrom = path, ContentType = "application/octet-stream" }).Within(120);

        (long caller, long worker) = memory.Growth();
        await Report($"UploadFrom 256 MiB: caller peak growth {caller / MiB} MiB, worker {worker / MiB} MiB");
        JsonElement answer = response.Json();
        Assert.That(answer.GetProperty("length").GetInt64(), Is.EqualTo(256 * MiB));
        Assert.That(answer.GetProperty("sha256").GetString(), Is.EqualTo(Expected(256 * MiB, 15)));
        Assert.That(caller, Is.LessThan(32 * MiB), "the caller never held the file");
        File.Delete(path);
    }

    [Test]
    public void UploadFrom_IsRefusedAtTheCall_WhenTheFileIsMissing_OrWithAnotherBody()
    {
        using var session = new FuturesSession(_executor);
        string missing = Path.Combine(_directory, "no-such-file");
        string present = Path.Combine(_directory, "present.txt");
        File.WriteAllText(present, "x");

        Assert.That(() => session.PostAsync(TestServer.Url("/post"), new RequestOptions { UploadFrom = missing }), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(missing));
        Assert.That(() => session.PostAsync(TestServer.Url("/post"), new RequestOptions { UploadFrom = present, Body = [1] }), Throws.ArgumentException.With.Message.Contains("one body"));
        Assert.That(() => session.PostAsync(TestServer.Url("/post"), new RequestOptions { UploadFrom = present, Json = 1 }), Throws.ArgumentException.With.Message.Contains("one body"));
        Assert.That(() => session.GetAsync(TestServer.Url("/get"), new RequestOptions { Stream = true, DownloadTo = present }), Throws.ArgumentException.With.Message.Contains("Stream and DownloadTo"));
    }

    [Test]
    public async Task ConnectionCutAfter10MB_FailsEveryMode_AndLeavesNoFile()
    {
        await using var session = new FuturesSession(_executor);
        string url = TestServer.Url("/drop-after/10000000?length=50000000");
        string path = Path.Combine(_directory, "cut.bin");

        Exception buffered = Assert.CatchAsync(() => session.GetAsync(url).Within(60))!;
        Exception downloaded = Assert.CatchAsync(() => session.GetAsync(url, new RequestOptions { DownloadTo = path }).Within(60))!;
        await using Response streamed = await session.GetAsync(url, new RequestOptions { Stream = true }).Within();
        Exception read = Assert.CatchAsync(() => HashAsync(streamed.ContentStream).Within(60))!;

        // As HttpClient: its own buffering wraps the cut in HttpRequestException; a reader of the stream gets HttpIOException.
        Assert.That(buffered, Is.TypeOf<HttpRequestException>().With.Property(nameof(HttpRequestException.HttpRequestError)).EqualTo(HttpRequestError.ResponseEnded), buffered.ToString());
        Assert.That(downloaded, Is.TypeOf<HttpRequestException>().With.Property(nameof(HttpRequestException.HttpRequestError)).EqualTo(HttpRequestError.ResponseEnded), downloaded.ToString());
        Assert.That(read, Is.TypeOf<HttpIOException>().With.Property(nameof(HttpIOException.HttpRequestError)).EqualTo(HttpRequestError.ResponseEnded), read.ToString());
        Assert.That(File.Exists(path), Is.False, "no file under the final name");
        Assert.That(Leftovers(), Is.Empty, "no temporary file");
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200), "the executor keeps serving");
    }

    [Test]
    public async Task DownloadTo_CancelledOrIntoAMissingDirectory_EndsOnce_AndLeavesNoFile()
    {
        await using var session = new FuturesSession(_executor);
        string path = Path.Combine(_directory, "cancelled.bin");
        using var cancel = new CancellationTokenSource();
        var progressed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new RequestOptions { DownloadTo = path, Progress = new SyncProgress<TransferProgress>(p => { if (p.BytesReceived > 0) { progressed.TrySetResult(); } }) };

        Task<Response> download = session.GetAsync(TestServer.Url($"/stream-bytes/{4 * GiB}"), options, cancel.Token);
        await progressed.Task.Within();
        await cancel.CancelAsync();
        Assert.That(() => download.Within(), Throws.InstanceOf<OperationCanceledException>());
        string missing = Path.Combine(_directory, "no-such-directory", "file.bin");
        Assert.That(() => session.GetAsync(TestServer.Url("/bytes/1000"), new RequestOptions { DownloadTo = missing }).Within(), Throws.InstanceOf<DirectoryNotFoundException>());

        // The pool deletes a cancelled download's temporary file in the worker, as the task ends.
        await Waits.UntilAsync(() => Leftovers().Length == 0, "the temporary file to be removed", seconds: 5);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public async Task DownloadTo_OnAFullDisk_FailsWithTheDisksError_LeavesNoFile_AndTheExecutorServesOn()
    {
        // A 1 MiB tmpfs (mounting needs root, as CI runs): an 8 MiB body cannot fit.
        string disk = Directory.CreateTempSubdirectory("processfutures-full-").FullName;
        (int mounted, string why) = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "processfutures-full", disk], disk, 30);
        if (mounted != 0)
        {
            Directory.Delete(disk);
            Assert.Ignore($"a small tmpfs could not be mounted here (mount needs root): {why.Trim()}");
        }

        try
        {
            await using var session = new FuturesSession(_executor);
            string path = Path.Combine(disk, "big.bin");
            IOException full = Assert.ThrowsAsync<IOException>(() => session.GetAsync(TestServer.Url($"/bytes/{8 * MiB}"), new RequestOptions { DownloadTo = path }).Within(60))!;

            Assert.That(full.Message, Does.Contain("No space left on device"), full.Message);
            await Waits.UntilAsync(() => Directory.GetFileSystemEntries(disk).Length == 0, "no file, whole or partial, left on the full disk", seconds: 10);
            Assert.That((await session.GetAsync(TestServer.Url("/get")).Within(30)).StatusCode, Is.EqualTo(200), "the executor serves on");
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [disk], Path.GetTempPath(), 30);
            Directory.Delete(disk, recursive: true);
        }
    }

    [Test]
    public async Task Progress_IsReported_Monotonic_BoundedInRate_AndEndsWithTheExactCount()
    {
        await using var session = new FuturesSession(_executor);
        var reports = new ConcurrentQueue<(TransferProgress Progress, DateTime At)>();
        string path = Path.Combine(_directory, "progress.bin");
        long size = 300 * MiB;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await session.GetAsync(TestServer.Url($"/bytes/{size}"), new RequestOptions { DownloadTo = path, Progress = new SyncProgress<TransferProgress>(p => reports.Enqueue((p, DateTime.UtcNow))) }).Within(120);
        TimeSpan took = clock.Elapsed;
        (TransferProgress Progress, DateTime At)[] seen = [.. reports];

        await Report($"download of {size / MiB} MiB in {took.TotalSeconds:F1} s: {seen.Length} progress reports");
        Assert.That(seen, Is.Not.Empty);
        Assert.That(seen.Select(r => r.Progress.BytesReceived), Is.Ordered, "monotonic");
        Assert.That(seen[^1].Progress.BytesReceived, Is.EqualTo(size), "the last report has the exact count");
        Assert.That(seen[^1].Progress.TotalBytesToReceive, Is.EqualTo(size));
        Assert.That(seen.Length, Is.LessThanOrEqualTo((int)(took.TotalSeconds * 10) + 3), "about ten a second at most, plus the last");
        File.Delete(path);

        var uploads = new ConcurrentQueue<TransferProgress>();
        string upload = Path.Combine(_directory, "progress-upload.bin");
        await WriteDeterministicFileAsync(upload, 20 * MiB, seed: 16);
        await session.PostAsync(TestServer.Url("/upload/sha256"), new RequestOptions { UploadFrom = upload, Progress = new SyncProgress<TransferProgress>(uploads.Enqueue) }).Within(60);
        TransferProgress last = uploads.Last();
        Assert.That(last.BytesSent, Is.EqualTo(20 * MiB));
        Assert.That(last.TotalBytesToSend, Is.EqualTo(20 * MiB));
        Assert.That(uploads.Select(p => p.BytesSent), Is.Ordered);
        File.Delete(upload);
    }

    [Test]
    public async Task BufferedBody_OverMaxBufferedContentBytes_FailsAsSoonAsThatIsKnown_NamingTheWayOut()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { MaxBufferedContentBytes = 1_000_000 });

        HttpRequestException announced = Assert.ThrowsAsync<HttpRequestException>(() => session.GetAsync(TestServer.Url($"/bytes/{4 * GiB}")).Within())!;
        HttpRequestException chunked = Assert.ThrowsAsync<HttpRequestException>(() => session.GetAsync(TestServer.Url($"/stream-bytes/{4 * GiB}")).Within())!;
        Response fits = await session.GetAsync(TestServer.Url("/bytes/1000000")).Within();

        Assert.That(announced.HttpRequestError, Is.EqualTo(HttpRequestError.ConfigurationLimitExceeded));
        Assert.That(announced.Message, Does.Contain("MaxBufferedContentBytes").And.Contain("Stream").And.Contain("DownloadTo").And.Contain("announced"));
        Assert.That(chunked.HttpRequestError, Is.EqualTo(HttpRequestError.ConfigurationLimitExceeded));
        Assert.That(fits.Content.Length, Is.EqualTo(1_000_000), "a body of exactly the cap is fine");
    }

    [Test]
    public async Task StreamedResponse_ContentThrows_AndABufferedOnesContentStreamIsReadOnly()
    {
        await using var session = new FuturesSession(_executor);

        await using Response streamed = await session.GetAsync(TestServer.Url("/bytes/1000"), new RequestOptions { Stream = true }).Within();
        Response buffered = await session.GetAsync(TestServer.Url("/bytes/1000")).Within();

        Assert.That(() => streamed.Content, Throws.InvalidOperationException.With.Message.Contains("ContentStream"));
        Assert.That(() => streamed.Text, Throws.InvalidOperationException.With.Message.Contains("'Text'"));
        Assert.That(() => streamed.Json(), Throws.InvalidOperationException);
        Assert.That(buffered.ContentStream.CanWrite, Is.False);
        Assert.That(await HashAsync(buffered.ContentStream), Is.EqualTo((1000L, Convert.ToHexStringLower(SHA256.HashData(buffered.Content)))));
        Assert.That((await HashAsync(streamed.ContentStream)).Length, Is.EqualTo(1000));
    }

    [Test]
    public async Task AsyncCallback_SeesItsTokenCancelled_WhenTheRequestTimesOut()
    {
        await using var session = new FuturesSession(_executor);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        TaskCanceledException timeout = Assert.ThrowsAsync<TaskCanceledException>(() =>
            session.GetAsync(TestServer.Url("/get"), BigBodyCallbacks.WaitsForItsToken, new RequestOptions { Timeout = TimeSpan.FromSeconds(1) }).Within())!;
        int next = await session.GetAsync(TestServer.Url("/get"), BigBodyCallbacks.ProcessIdAsync).Within();

        Assert.That(timeout.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(next, Is.GreaterThan(0), "the executor keeps serving");
    }

    [Test]
    public async Task SyncCallback_OverrunningTheTimeout_EndsTheTaskWithTheTimeout_OnBothExecutors()
    {
        await using var session = new FuturesSession(_executor);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        TaskCanceledException timeout = Assert.ThrowsAsync<TaskCanceledException>(() =>
            session.GetAsync(TestServer.Url("/get"), Callbacks.SleepsFor5Seconds, new RequestOptions { Timeout = TimeSpan.FromSeconds(1) }).Within())!;

        await Report($"a 5 s callback with a 1 s timeout ended its task after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(timeout.InnerException, Is.InstanceOf<TimeoutException>(), "the timeout covers the callback, whichever executor runs it");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4.5)), "the task did not wait for the callback");
    }

    private static async Task<(long Length, string Sha256)> HashAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[256 * 1024];
        long length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<string> HashFileAsync(string path)
    {
        await using FileStream file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    private static string Expected(long length, ulong seed) => s_hashes.GetOrAdd((length, seed), key => DeterministicBytes.Sha256Hex(key.Item1, key.Item2));

    private static async Task WriteDeterministicFileAsync(string path, long length, ulong seed)
    {
        var bytes = new DeterministicBytes(seed);
        byte[] buffer = new byte[1 << 20];
        await using FileStream file = File.Create(path);
        for (long left = length; left > 0; left -= buffer.Length)
        {
            Memory<byte> piece = buffer.AsMemory(0, (int)Math.Min(buffer.Length, left));
            bytes.Fill(piece.Span);
            await file.WriteAsync(piece);
        }
    }

    private string[] Leftovers() => Directory.GetFiles(_directory, "*.partial", SearchOption.AllDirectories);

    private Task Report(string line) => TestContext.Out.WriteLineAsync($"{kind}: {line}");

    /// <summary>The growth of this process's peak, and of the largest growth among the pool's workers, since <see cref="Start"/>.</summary>
    private sealed class Memory(Dictionary<int, long> baselines)
    {
        public static Memory Start(IRequestExecutor executor)
        {
            GC.Collect();
            var baselines = new Dictionary<int, long> { [Environment.ProcessId] = PeakMemory.Reset(Environment.ProcessId) };
            if (executor is ProcessPoolExecutor pool)
            {
                foreach (int pid in pool.WorkerProcessIds)
                {
                    baselines[pid] = PeakMemory.Reset(pid);
                }
            }

            return new Memory(baselines);
        }

        public (long Caller, long Worker) Growth()
        {
            long caller = PeakMemory.Peak(Environment.ProcessId) - baselines[Environment.ProcessId];
            long worker = baselines.Keys.Where(pid => pid != Environment.ProcessId && WorkerProcesses.IsAlive(pid)).Select(pid => PeakMemory.Peak(pid) - baselines[pid]).DefaultIfEmpty(0).Max();
            return (caller, worker);
        }
    }
}
