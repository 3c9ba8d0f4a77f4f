using Session.Client;
using Session.Contracts;

namespace Bench;

/// <summary>
/// One executor under load, built fresh: raw HttpClient (one client shared by every loop, the
/// physical limit), a session on a ThreadPoolExecutor of <c>concurrency</c>, or a session on a
/// ProcessPoolExecutor of n workers sharing <c>concurrency</c> between them.
/// </summary>
internal sealed class LoadSubject : IAsyncDisposable
{
    public const string Raw = "HttpClient (raw)";
    public const string ThreadPool = "ThreadPoolExecutor";
    public const string ProcessPool = "ProcessPoolExecutor";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient? _client;
    private readonly IRequestExecutor? _executor;
    private readonly FuturesSession? _session;

    private LoadSubject(string executor, string setup, int? perWorker, Func<Task<int>> sendAsync, HttpClient? client, IRequestExecutor? executorInstance, FuturesSession? session)
    {
        Executor = executor;
        Setup = setup;
        PerWorker = perWorker;
        SendAsync = sendAsync;
        _client = client;
        _executor = executorInstance;
        _session = session;
    }

    public static IReadOnlyList<string> Executors { get; } = [Raw, ThreadPool, ProcessPool];

    public string Executor { get; }

    public string Setup { get; }

    /// <summary>The pool's ConcurrencyPerWorker; null for the in-process executors.</summary>
    public int? PerWorker { get; }

    /// <summary>Sends one GET and returns its body length; throws on a failure or a wrong length.</summary>
    public Func<Task<int>> SendAsync { get; }

    public ProcessPoolExecutor? Pool => _executor as ProcessPoolExecutor;

    /// <summary>The pool's live worker pids; null for the in-process executors.</summary>
    public Func<IReadOnlyList<int>>? WorkerIds => Pool is { } pool ? () => pool.WorkerProcessIds : null;

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
                int perWorker = (concurrency + poolWorkers - 1) / poolWorkers;
                var pool = new ProcessPoolExecutor(poolWorkers, new ProcessPoolOptions { ConcurrencyPerWorker = perWorker });
                var poolSession = new FuturesSession(pool, options: SessionOptions());
                return new LoadSubject(ProcessPool, $"{poolWorkers} workers × ConcurrencyPerWorker {perWorker}", perWorker, () => SendSessionAsync(poolSession, url, expectedLength), null, pool, poolSession);
            default:
                throw new ArgumentOutOfRangeException(nameof(executor), executor, $"The executor '{executor}' is not one of: {string.Join(", ", Executors)}.");
        }
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

    private static int CheckLength(int length, int? expected) =>
        expected is null || length == expected ? length : throw new InvalidDataException($"The body has {length} bytes; expected {expected}.");
}
