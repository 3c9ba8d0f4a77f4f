using Session.Contracts;
using Session.Contracts.Internal;

namespace Session.Client.Internal;

/// <summary>
/// One submitted request, from queue to completion. Every path that ends it (result, error,
/// cancellation while queued or running, disposal, worker death) goes through one guarded
/// transition, so the caller's task ends exactly once, and the session learns it ended.
/// </summary>
internal abstract class PendingWork
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Ended = 2;

    private int _state;
    private CancellationTokenRegistration _callerRegistration;
    private CancellationTokenRegistration _sessionRegistration;

    protected PendingWork(FuturesSession session, HttpRequestData request, CallbackReference? remoteCallback, CancellationToken cancellationToken)
    {
        Session = session;
        Request = request;
        RemoteCallback = remoteCallback;
        CancellationToken = cancellationToken;
    }

    public FuturesSession Session { get; }

    public HttpRequestData Request { get; }

    /// <summary>The callback to run in a worker; null when there is none or it runs in process.</summary>
    public CallbackReference? RemoteCallback { get; }

    /// <summary>The caller's token: it cancels the work while queued and while running.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The type a worker callback's result is deserialized as.</summary>
    public abstract Type? RemoteResultType { get; }

    public bool IsEnded => Volatile.Read(ref _state) == Ended;

    /// <summary>Listens for cancellation while queued: the caller's token, or the session's disposal.</summary>
    public void WatchWhileQueued()
    {
        if (CancellationToken.CanBeCanceled)
        {
            _callerRegistration = CancellationToken.UnsafeRegister(static (state, token) => ((PendingWork)state!).CancelQueued(token), this);
        }

        WatchSessionDisposal();
    }

    /// <summary>Takes the work off the queue; false when it already ended (cancelled while queued).</summary>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return false;
        }

        // Session disposal no longer concerns it: running requests finish. The caller's token still does.
        _sessionRegistration.Unregister();
        return true;
    }

    /// <summary>
    /// Puts started work back in the queued state, for work that never reached a worker (its
    /// socket refused the connection). Returns false if the work ended meanwhile.
    /// </summary>
    public bool ReturnToQueue()
    {
        if (Interlocked.CompareExchange(ref _state, Queued, Running) != Running)
        {
            return false;
        }

        WatchSessionDisposal();
        return true;
    }

    /// <summary>Ends queued work as cancelled; nothing happens if it already started or ended.</summary>
    public void CancelQueued(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Queued) == Queued)
        {
            SetCanceled(token);
            AfterEnd();
        }
    }

    /// <summary>Ends the work with a response; a local callback, if any, runs here, on this thread.</summary>
    public void Complete(Response response)
    {
        if (TryEnd())
        {
            try
            {
                SetResponse(response);
            }
            catch (Exception exception)
            {
                SetException(exception);
            }

            AfterEnd();
        }
    }

    /// <summary>Ends the work with a worker callback's (deserialized) result.</summary>
    public void CompleteWithResult(object? value)
    {
        if (TryEnd())
        {
            SetResult(value);
            AfterEnd();
        }
    }

    /// <summary>
    /// Ends the work with an exception. A cancellation the caller asked for ends it Canceled;
    /// any other exception (a timeout's TaskCanceledException among them) faults it.
    /// </summary>
    public void Fail(Exception exception)
    {
        if (TryEnd())
        {
            if (exception is OperationCanceledException && CancellationToken.IsCancellationRequested)
            {
                SetCanceled(CancellationToken);
            }
            else
            {
                SetException(exception);
            }

            AfterEnd();
        }
    }

    protected abstract void SetResponse(Response response);

    protected abstract void SetResult(object? value);

    protected abstract void SetException(Exception exception);

    protected abstract void SetCanceled(CancellationToken token);

    private void WatchSessionDisposal() =>
        _sessionRegistration = Session.Disposing.UnsafeRegister(static (state, token) => ((PendingWork)state!).CancelQueued(token), this);

    private bool TryEnd() => Interlocked.Exchange(ref _state, Ended) != Ended;

    private void AfterEnd()
    {
        _callerRegistration.Unregister();
        _sessionRegistration.Unregister();
        Session.OnWorkEnded();
    }
}
