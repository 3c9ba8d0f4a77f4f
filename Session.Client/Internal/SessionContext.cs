using System.Diagnostics;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// What the executors and the pending work of a <see cref="FuturesSession"/> see of it: its
/// options, cookie jar and HTTP client, the token that cancels its queued requests when it is
/// disposed, and the count of its requests that have not ended. The count and the disposed flag
/// change together, under one lock, so disposal can never miss the last request ending.
/// </summary>
[DebuggerDisplay("{_outstanding} outstanding, disposed = {_disposed}")]
internal sealed class SessionContext
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpClient? _ownClient;
    private int _outstanding;
    private bool _disposed;

    public SessionContext(SessionOptions options, HttpClient? wrappedClient)
    {
        Options = options;
        WrappedClient = wrappedClient;
        // Shared by every request of the session (never changed once made).
        Transport = new TransportSettings { VerifyTls = options.VerifyTls, Proxy = options.Proxy?.AbsoluteUri ?? string.Empty };
    }

    public SessionOptions Options { get; }

    /// <summary>Read once, at construction: they shape the session's connections.</summary>
    public TransportSettings Transport { get; }

    /// <summary>The HttpClient the session wraps, if it was created with one.</summary>
    public HttpClient? WrappedClient { get; }

    /// <summary>The cookies the session collected from its responses, whichever executor ran them.</summary>
    public CookieJar Jar { get; } = new();

    /// <summary>Cancelled when the session is disposed: queued work listens to it.</summary>
    public CancellationToken Disposing => _disposing.Token;

    /// <summary>The client in-process executors send with: the wrapped one, or the session's own.</summary>
    public HttpClient HttpClient => WrappedClient ?? Volatile.Read(ref _ownClient) ?? CreateOwnClient();

    /// <summary>Counts a request in; throws <see cref="ObjectDisposedException"/> once the session is disposed.</summary>
    public void Enter(FuturesSession session)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, session);
            _outstanding++;
        }
    }

    /// <summary>Counts a request out (it ended, or was never submitted).</summary>
    public void Exit()
    {
        bool drained;
        lock (_lock)
        {
            _outstanding--;
            drained = _disposed && _outstanding == 0;
        }

        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Marks the session disposed, cancels its queued requests, and returns a task that completes when none is left.</summary>
    public Task ShutDown()
    {
        bool drained;
        lock (_lock)
        {
            _disposed = true;
            drained = _outstanding == 0;
        }

        // Outside the lock: cancelling runs the queued requests' callbacks, which count themselves out.
        _disposing.Cancel();
        if (drained)
        {
            _drained.TrySetResult();
        }

        return _drained.Task;
    }

    /// <summary>Releases what the session made for itself; called once no request is left.</summary>
    public void Release()
    {
        Interlocked.Exchange(ref _ownClient, null)?.Dispose();
        _disposing.Dispose();
    }

    private HttpClient CreateOwnClient()
    {
        HttpClient created = HttpExchange.CreateClient(Transport);
        HttpClient? raced = Interlocked.CompareExchange(ref _ownClient, created, null);
        if (raced is not null)
        {
            created.Dispose();
            return raced;
        }

        return created;
    }
}
