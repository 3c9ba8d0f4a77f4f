using ProcessFutures;

namespace Bench;

/// <summary>
/// One executor under load, built fresh: raw HttpClient (one client shared by every loop, the
/// physical limit), a session on a ThreadPoolExecutor of <c>concurrency</c>, a session on a
/// ProcessPoolExecutor of n workers sharing <c>concurrency</c> between them, or a session on a
/// RemoteWorkerExecutor over workers that are already running.
/// </summary>
internal sealed class LoadSubject : IAsyncDisposable
{
    public const string Raw = "HttpClient (raw)";
    public const string ThreadPool = "ThreadPoolExecutor";
    public const string ProcessPool = "ProcessPoolExecutor";

    /// <summary>The process pool on its other transport (<see cref="WorkerTransport.Grpc"/>), measured beside the default in the warm and cold runs.</summary>
    public const string ProcessPoolGrpc = "ProcessPoolExecutor (gRPC)";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient? _client;
    private readonly IRequestExecutor? _executor;
    private readonly FuturesSession? _session;
    private readonly IReadOnlyList<int>? _remoteWorkerIds;

    private LoadSubject(string executor, string setup, int? perWorker, Func<Task<int>> sendAsync, HttpClient? client, IRequestExecutor? executorInstance, FuturesSession? session, IReadOnlyList<int>? remoteWorkerIds = null, Func<Task<(int Length, int ProcessId)>>? sendAnsweredByAsync = null)
    {
        Executor = executor;
        Setup = setup;
        PerWorker = perWorker;
        SendAsync = sendAsync;
        SendAnsweredByAsync = sendAnsweredByAsync;
        _client = client;
        _executor = executorInstance;
        _session = session;
        _remoteWorkerIds = remoteWorkerIds;
    }

    public static IReadOnlyList<string> Executors { get; } = [Raw, ThreadPool, ProcessPool];

    /// <summary><see cref="Executors"/> and the process pool on gRPC: what the warm and cold runs compare.</summary>
    public static IReadOnlyList<string> ExecutorsAndGrpcPool { get; } = [Raw, ThreadPool, ProcessPool, ProcessPoolGrpc];

    public string Executor { get; }

    public string Setup { get; }

    /// <summary>The pool's or the remote executor's ConcurrencyPerWorker; null for the in-process executors.</summary>
    public int? PerWorker { get; }

    /// <summary>Sends one GET and returns its body length; throws on a failure or a wrong length.</summary>
    public Func<Task<int>> SendAsync { get; }

    /// <summary>
    /// As <see cref="SendAsync"/>, also returning the pid of the worker that answered (with a
    /// hash, from <see cref="Callbacks.Sha256AndProcessId"/>); null but for pools built with options.
    /// </summary>
    public Func<Task<(int Length, int ProcessId)>>? SendAnsweredByAsync { get; }

    public ProcessPoolExecutor? Pool => _executor as ProcessPoolExecutor;

    public RemoteWorkerExecutor? Remote => _executor as RemoteWorkerExecutor;

    /// <summary>How many remote workers the executor is given; 0 for the others.</summary>
    public int RemoteWorkers => _remoteWorkerIds?.Count ?? 0;

    /// <summary>The worker pids: the pool's live ones, or the remote workers' (processes of this machine too); null for the in-process executors.</summary>
    public Func<IReadOnlyList<int>>? WorkerIds =>
        Pool is { } pool ? () => pool.WorkerProcessIds
        : _remoteWorkerIds is { } remote ? () => remote
        : null;

    /// <summary>Builds <paramref name="executor"/> (one of <see cref="Executors"/>) for <paramref name="concurrency"/> loops on <paramref name="url"/>.</summary>
    public static LoadSubject Create(string executor, int concurrency, int poolWorkers, string url, int? expectedLength)
    {
        switch (executor)
        {
            case Raw:
                HttpClient client = CreateRawClient();
                return new LoadSubject(Raw, $"1 HttpClient, {concurrency} loop(s)", null, () => SendRawAsync(client, url, expectedLength), client, null, null);
            case ThreadPool:
                var threads = new ThreadPoolExecutor(concurrency);
                var threadSession = new FuturesSession(threads, options: SessionOptions());
                return new LoadSubject(ThreadPool, $"ThreadPoolExecutor({concurrency})", null, () => SendSessionAsync(threadSession, url, expectedLength), null, threads, threadSession);
            case ProcessPool:
                return ForPool(poolWorkers, SlotsPerWorker(concurrency, poolWorkers), url, expectedLength);
            case ProcessPoolGrpc:
                return ForPool(poolWorkers, SlotsPerWorker(concurrency, poolWorkers), url, expectedLength, WorkerTransport.Grpc);
            default:
                throw new ArgumentOutOfRangeException(nameof(executor), executor, $"The executor '{executor}' is not one of: {string.Join(", ", Executors)}.");
        }
    }

    /// <summary>Slots per worker for <paramref name="concurrency"/> loops over <paramref name="workers"/> workers: enough that no request waits for one.</summary>
    public static int SlotsPerWorker(int concurrency, int workers) => (concurrency + workers - 1) / workers;

    /// <summary>A session on a ProcessPoolExecutor of <paramref name="workers"/> × <paramref name="perWorker"/>.</summary>
    public static LoadSubject ForPool(int workers, int perWorker, string url, int? expectedLength, WorkerTransport transport = WorkerTransport.Socket) =>
        ForPool(workers, new ProcessPoolOptions { ConcurrencyPerWorker = perWorker, Transport = transport }, url, expectedLength);

    /// <summary>
    /// A session on a ProcessPoolExecutor of <paramref name="workers"/> built with
    /// <paramref name="options"/>. With <paramref name="expectedSha256"/>, each request runs
    /// <see cref="Callbacks.Sha256AndProcessId"/> in the worker, which must return that hash, and
    /// counts <paramref name="expectedLength"/> bytes (hashed there, not sent back).
    /// </summary>
    public static LoadSubject ForPool(int workers, ProcessPoolOptions options, string url, int? expectedLength, string? expectedSha256 = null)
    {
        var pool = new ProcessPoolExecutor(workers, options);
        var session = new FuturesSession(pool, options: SessionOptions());
        string setup = $"{workers} workers × ConcurrencyPerWorker {options.ConcurrencyPerWorker}, {options.Transport}"
            + (options.MaxTasksPerWorker > 0 ? $", MaxTasksPerWorker {options.MaxTasksPerWorker}" : string.Empty)
            + (expectedSha256 is null ? string.Empty : ", Callbacks.Sha256AndProcessId in the worker");
        Func<Task<int>> send;
        Func<Task<(int Length, int ProcessId)>> sendAnsweredBy;
        if (expectedSha256 is null)
        {
            send = () => SendSessionAsync(session, url, expectedLength);
            sendAnsweredBy = () => SendSessionAnsweredByAsync(session, url, expectedLength);
        }
        else
        {
            sendAnsweredBy = () => SendHashedAnsweredByAsync(session, url, expectedLength ?? 0, expectedSha256);
            send = async () => (await sendAnsweredBy()).Length;
        }

        return new LoadSubject(options.Transport == WorkerTransport.Grpc ? ProcessPoolGrpc : ProcessPool, setup, options.ConcurrencyPerWorker, send, null, pool, session, sendAnsweredByAsync: sendAnsweredBy);
    }

    /// <summary>
    /// A session on a RemoteWorkerExecutor on <paramref name="target"/> (its workers already
    /// running, as <paramref name="workerIds"/> on this machine). With <paramref name="expectedSha256"/>,
    /// each request runs <see cref="Callbacks.Sha256"/> in the worker, which must return that hash,
    /// and counts <paramref name="expectedLength"/> bytes (hashed there, not sent back).
    /// </summary>
    public static LoadSubject ForRemote(string name, string target, RemoteWorkerOptions options, IReadOnlyList<int> workerIds, string url, int expectedLength, string? expectedSha256 = null)
    {
        var remote = new RemoteWorkerExecutor(target, options);
        var session = new FuturesSession(remote, options: SessionOptions());
        string setup = $"{workerIds.Count} workers × ConcurrencyPerWorker {options.ConcurrencyPerWorker}{(expectedSha256 is null ? string.Empty : ", Callbacks.Sha256 in the worker")}";
        Func<Task<int>> send = expectedSha256 is null
            ? () => SendSessionAsync(session, url, expectedLength)
            : () => SendHashedAsync(session, url, expectedLength, expectedSha256);
        return new LoadSubject(name, setup, options.ConcurrencyPerWorker, send, null, remote, session, workerIds);
    }

    /// <summary>The physical limit: one HttpClient over SocketsHttpHandler.</summary>
    public static HttpClient CreateRawClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true) { Timeout = timeout ?? RequestTimeout };

    /// <summary>Sessions bound every request by the same timeout as the raw client, so their disposal cannot wait forever.</summary>
    public static SessionOptions SessionOptions() => new() { Timeout = RequestTimeout };

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_executor is not null)
        {
            await _executor.DisposeAsync();
        }

        _client?.Dispose();
    }

    private static async Task<int> SendRawAsync(HttpClient client, string url, int? expectedLength)
    {
        using HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return CheckLength(body.Length, expectedLength);
    }

    private static async Task<int> SendSessionAsync(FuturesSession session, string url, int? expectedLength)
    {
        Response response = await session.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return CheckLength(response.Content.Length, expectedLength);
    }

    private static async Task<(int Length, int ProcessId)> SendSessionAnsweredByAsync(FuturesSession session, string url, int? expectedLength)
    {
        Response response = await session.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return (CheckLength(response.Content.Length, expectedLength), response.ProcessId);
    }

    private static async Task<(int Length, int ProcessId)> SendHashedAnsweredByAsync(FuturesSession session, string url, int length, string expectedSha256)
    {
        HashedBody hashed = await session.GetAsync(url, Callbacks.Sha256AndProcessId);
        return hashed.Sha256 == expectedSha256 ? (length, hashed.ProcessId) : throw new InvalidDataException($"The worker's SHA-256 is '{hashed.Sha256}'; expected '{expectedSha256}'.");
    }

    private static async Task<int> SendHashedAsync(FuturesSession session, string url, int length, string expectedSha256)
    {
        string hash = await session.GetAsync(url, Callbacks.Sha256);
        return hash == expectedSha256 ? length : throw new InvalidDataException($"The worker's SHA-256 is '{hash}'; expected '{expectedSha256}'.");
    }

    private static int CheckLength(int length, int? expected) =>
        expected is null || length == expected ? length : throw new InvalidDataException($"The body has {length} bytes; expected {expected}.");
}
