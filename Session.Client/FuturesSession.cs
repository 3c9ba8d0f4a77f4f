using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// An HTTP session whose verbs return tasks instead of responses: the counterpart of
/// requests-futures' <c>FuturesSession</c>. Requests run on an <see cref="IRequestExecutor"/>:
/// a <see cref="ThreadPoolExecutor"/> by default, or a <see cref="ProcessPoolExecutor"/>,
/// without changing call sites.
/// </summary>
/// <remarks>
/// <para>
/// The session owns its cookie jar, whichever executor runs its requests: a cookie set by any
/// response (redirect hops included) is sent by its later requests, whichever thread or worker
/// process runs them. It is safe to use from several threads at once.
/// </para>
/// <para>
/// Disposal cancels the session's queued requests (their tasks end Canceled) and lets the running
/// ones finish. <see cref="DisposeAsync"/> waits for them; <see cref="Dispose"/> does not block
/// (it never waits on a task synchronously): an executor the session owns is shut down in the
/// background once they finish. Either way, calls made afterwards throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed partial class FuturesSession : IDisposable, IAsyncDisposable
{
    /// <summary>The default of <c>maxWorkers</c>: 8 requests at once.</summary>
    public const int DefaultMaxWorkers = 8;

    private readonly bool _ownsExecutor;
    private readonly SessionContext _context;
    private readonly DisposeOnce _disposal = new();

    /// <summary>Creates a session.</summary>
    /// <param name="executor">
    /// The executor to run requests on. <see langword="null"/>: the session creates and owns a
    /// <see cref="ThreadPoolExecutor"/> of <paramref name="maxWorkers"/> workers. Given: it is used
    /// as it is, may be shared with other sessions, and is not disposed with this session.
    /// </param>
    /// <param name="maxWorkers">How many requests the session's own thread pool runs at once; ignored when <paramref name="executor"/> is given.</param>
    /// <param name="options">Headers, cookies, base address, timeout, redirects, auth and transport settings; default: <c>new SessionOptions()</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1 and no executor is given.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is not valid (the message lists every problem).</exception>
    public FuturesSession(IRequestExecutor? executor = null, int maxWorkers = DefaultMaxWorkers, SessionOptions? options = null)
    {
        SessionOptions checkedOptions = options ?? new SessionOptions();
        RequestPreparer.ValidateSession(checkedOptions, nameof(options));
        _context = new SessionContext(checkedOptions, wrappedClient: null);
        (Executor, _ownsExecutor) = Own(executor, maxWorkers);
        Executor.Core.Validate(_context, Executor);
    }

    /// <summary>
    /// Creates a session that sends its requests with an existing <see cref="HttpClient"/> (the
    /// <c>session=</c> of requests-futures): its handler, default headers, base address and
    /// timeout apply. The client is not disposed with the session.
    /// </summary>
    /// <param name="session">The client to send requests with.</param>
    /// <param name="executor">As in the other constructor.</param>
    /// <param name="maxWorkers">As in the other constructor.</param>
    /// <exception cref="System.Runtime.Serialization.SerializationException">
    /// <paramref name="executor"/> runs requests in other processes (<see cref="ProcessPoolExecutor"/>),
    /// where an HttpClient cannot go; describe the session with <see cref="SessionOptions"/> instead.
    /// </exception>
    public FuturesSession(HttpClient session, IRequestExecutor? executor = null, int maxWorkers = DefaultMaxWorkers)
    {
        ArgumentNullException.ThrowIfNull(session);
        _context = new SessionContext(new SessionOptions(), session);
        (Executor, _ownsExecutor) = Own(executor, maxWorkers);
        Executor.Core.Validate(_context, Executor);
    }

    /// <summary>The executor that runs this session's requests.</summary>
    public IRequestExecutor Executor { get; }

    /// <summary>The session's options. Changes apply to later requests, except VerifyTls and Proxy (read at construction).</summary>
    public SessionOptions Options => _context.Options;

    /// <summary>Sends a request with any method.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running (a running exchange is aborted where it runs).</param>
    /// <returns>A task that yields the response, whatever its status code.</returns>
    /// <exception cref="ArgumentException">The URL or options are not valid (thrown here, not from the task).</exception>
    /// <exception cref="FileNotFoundException"><see cref="RequestOptions.UploadFrom"/> names no file.</exception>
    /// <exception cref="ObjectDisposedException">The session or its executor is disposed.</exception>
    public Task<Response> RequestAsync(HttpMethod method, string url, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        Submit<Response>(method, url, callback: null, options, cancellationToken);

    /// <summary>Sends a request with any method and runs <paramref name="callback"/> on its response in the background.</summary>
    /// <typeparam name="T">What the callback returns.</typeparam>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">
    /// Runs where the request ran: on the executor's thread, or inside a worker process. For a
    /// <see cref="ProcessPoolExecutor"/> it must be a named static method whose result MessagePack
    /// can carry; see the README, "Callbacks in worker processes".
    /// </param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    /// <exception cref="System.Runtime.Serialization.SerializationException">The executor runs callbacks in other processes and this one cannot go there.</exception>
    public Task<T> RequestAsync<T>(HttpMethod method, string url, Func<Response, T> callback, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Submit<T>(method, url, callback, options, cancellationToken);
    }

    /// <summary>
    /// Sends a request with any method and runs the asynchronous <paramref name="callback"/> on its
    /// response in the background. With <see cref="RequestOptions.Stream"/>, such a callback can
    /// hash, parse or copy a body of any size from <see cref="Response.ContentStream"/> in constant memory.
    /// </summary>
    /// <typeparam name="T">What the callback's task yields.</typeparam>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="SessionOptions.BaseAddress"/>.</param>
    /// <param name="callback">
    /// Runs where the request ran; its token is cancelled when the request is cancelled or times
    /// out. For a <see cref="ProcessPoolExecutor"/> it must be a named static method,
    /// <c>static async Task&lt;T&gt; Name(Response response, CancellationToken cancellationToken)</c>.
    /// </param>
    /// <param name="options">Headers, query, cookies, body, timeout, redirect setting, streaming and progress of this request.</param>
    /// <param name="cancellationToken">Cancels the request, queued or running.</param>
    /// <returns>A task that yields the callback's result, or its exception.</returns>
    /// <exception cref="System.Runtime.Serialization.SerializationException">The executor runs callbacks in other processes and this one cannot go there.</exception>
    public Task<T> RequestAsync<T>(HttpMethod method, string url, Func<Response, CancellationToken, Task<T>> callback, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Submit<T>(method, url, callback, options, cancellationToken);
    }

    /// <summary>
    /// Cancels queued requests and shuts down an owned executor once running requests finish,
    /// without blocking. Use <see cref="DisposeAsync"/> to wait for them.
    /// </summary>
    public void Dispose() => _disposal.Run(ReleaseAsync);

    /// <summary>Cancels queued requests, waits for running ones, then shuts down an owned executor.</summary>
    /// <returns>A task that completes when the session has released everything it owns.</returns>
    public ValueTask DisposeAsync() => new(_disposal.Run(ReleaseAsync));

    private Task<T> Submit<T>(HttpMethod method, string url, Delegate? callback, RequestOptions? options, CancellationToken cancellationToken)
    {
        PreparedRequest request = RequestPreparer.Prepare(method, url, _context.Options, options, _context.Transport, allowRelative: _context.WrappedClient?.BaseAddress is not null);
        ExecutorCore core = Executor.Core;
        CallbackReference? remote = callback is null ? null : core.PrepareCallback(callback);
        _context.Enter(this);
        var work = new PendingWork<T>(_context, request, callback, remote, options?.Progress, cancellationToken);
        try
        {
            work.BeginTelemetry(core.Telemetry);
            work.Watch();
            if (!work.IsEnded)
            {
                core.Submit(work, Executor);
            }
        }
        catch (Exception exception)
        {
            // Not queued (the executor is disposed): the task must still end, and the count with it.
            // The caller gets the exception here and never sees the task: mark it observed, or its
            // finalizer would report the same exception again as an UnobservedTaskException.
            work.Fail(exception);
            _ = work.Task.Exception;
            throw;
        }

        return work.Task;
    }

    /// <summary>The given executor (not owned), or a new owned thread pool of <paramref name="maxWorkers"/>.</summary>
    private static (IRequestExecutor Executor, bool Owned) Own(IRequestExecutor? executor, int maxWorkers)
    {
        if (executor is not null)
        {
            return (executor, false);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        return (new ThreadPoolExecutor(maxWorkers), true);
    }

    private async Task ReleaseAsync()
    {
        await _context.ShutDown().ConfigureAwait(false);
        if (_ownsExecutor)
        {
            await Executor.DisposeAsync().ConfigureAwait(false);
        }

        _context.Release();
    }
}
