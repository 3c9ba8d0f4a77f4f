using System.Diagnostics;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One submitted request, from queue to completion: Queued → Running → Ended (and back from
/// Running to Queued for work that never reached a worker). Every path that ends it (result,
/// error, cancellation or timeout while queued or running, disposal, worker death) goes through
/// <see cref="Finish"/>, one guarded transition with a <c>finally</c>, so the caller's task ends
/// exactly once whatever throws, its token registrations are released, and its session learns
/// that it ended.
/// </summary>
/// <remarks>
/// The request's <see cref="Deadline"/> starts at submission: its timeout counts the time in the
/// queue too, and a request still queued when it passes ends with the timeout, saying it never
/// reached a worker. The deadline is released once the work has ended and no run holds it.
/// </remarks>
[DebuggerDisplay("{StateName,nq} {Request.Method,nq} {Request.Url,nq}")]
internal abstract partial class PendingWork
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Ended = 2;

    private readonly Lock _registrationsLock = new();
    private int _state;
    private int _deadlineHolders = 1;
    private bool _registrationsClosed;
    private CancellationTokenRegistration _deadlineRegistration;
    private CancellationTokenRegistration _sessionRegistration;

    protected PendingWork(SessionContext session, PreparedRequest prepared, CallbackReference? remoteCallback, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        Session = session;
        Prepared = prepared;
        RemoteCallback = remoteCallback;
        CancellationToken = cancellationToken;
        QueueNode = new LinkedListNode<PendingWork>(this);
        Deadline = new RequestDeadline(prepared.Timeout, cancellationToken);
        if (progress is not null)
        {
            Progress = new ProgressTracker(progress.Report);
        }

        if (prepared.DownloadTo is { } destination)
        {
            DownloadTemporary = BodyFiles.TemporaryBeside(destination);
        }
    }

    public SessionContext Session { get; }

    public PreparedRequest Prepared { get; }

    /// <summary>The request as it is sent.</summary>
    public HttpRequest Request => Prepared.Wire;

    /// <summary>The callback to run in a worker; null when there is none or it runs in this process.</summary>
    public CallbackReference? RemoteCallback { get; }

    /// <summary>The type a worker callback's result is deserialized as.</summary>
    public abstract Type? RemoteResultType { get; }

    /// <summary>Whether a callback (in this process or in a worker) runs on the response.</summary>
    public abstract bool HasCallback { get; }

    /// <summary>The caller's token: it cancels the work while queued and while running.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The timeout, from submission, joined with the caller's token.</summary>
    public RequestDeadline Deadline { get; }

    /// <summary>For a download: the temporary file beside the destination that is filled, then moved into place as the task completes.</summary>
    public string? DownloadTemporary { get; }

    /// <summary>Counts bytes for the caller's progress reports, in the calling process; null when none were asked for.</summary>
    public ProgressTracker? Progress { get; }

    /// <summary>The work's place in a <see cref="WorkQueue"/>, made once.</summary>
    public LinkedListNode<PendingWork> QueueNode { get; }

    /// <summary>The queue it waits in, so a cancellation can take it out.</summary>
    public WorkQueue? Queue { get; set; }

    /// <summary>Says why no worker took it, for the timeout of a request that never left the queue (null: every slot was busy).</summary>
    public Func<Exception?>? NoWorkerReason { get; set; }

    public bool IsEnded => Volatile.Read(ref _state) == Ended;

    private string StateName => Volatile.Read(ref _state) switch { Queued => "queued", Running => "running", _ => "ended" };

    /// <summary>
    /// Listens for cancellation while queued: the caller's token and the timeout (the deadline),
    /// and the session's disposal. A token already cancelled ends the work here; a registration
    /// made after the work ended is released at once.
    /// </summary>
    public void Watch()
    {
        if (Deadline.Token.CanBeCanceled)
        {
            Keep(ref _deadlineRegistration, Deadline.Token.UnsafeRegister(static state => ((PendingWork)state!).OnDeadline(), this));
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

        // The run holds the deadline until it calls RunEnded.
        Interlocked.Increment(ref _deadlineHolders);

        // Session disposal no longer concerns it: running requests finish. The caller's token still does.
        Release(ref _sessionRegistration);
        Telemetry?.Started(Stopwatch.GetElapsedTime(_submittedAt));
        return true;
    }

    /// <summary>The last line of a run (a thread-pool loop, a worker's call): it no longer uses the work's deadline.</summary>
    public void RunEnded() => ReleaseDeadline();

    /// <summary>Puts started work back in the queued state (it never reached a worker); false if it ended meanwhile.</summary>
    public bool ReturnToQueue()
    {
        if (Interlocked.CompareExchange(ref _state, Queued, Running) != Running)
        {
            return false;
        }

        Telemetry?.Stopped();
        WatchSessionDisposal();
        if (Deadline.Token.IsCancellationRequested)
        {
            // It ran out of time, or was cancelled, while it was being tried: it ends here.
            OnDeadline();
        }

        return true;
    }

    /// <summary>Ends queued work as cancelled; nothing happens if it already started or ended.</summary>
    public void CancelQueued(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Queued) == Queued)
        {
            Queue?.Remove(this);
            Finish(Outcome.Canceled(token), wasRunning: false);
        }
    }

    /// <summary>Ends queued work with <paramref name="exception"/> (no worker could take it); nothing happens if it already started or ended.</summary>
    public void FailQueued(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Queued) == Queued)
        {
            Queue?.Remove(this);
            Finish(Outcome.Failed(exception), wasRunning: false);
        }
    }

    /// <summary>
    /// Ends the work with an exception. A cancellation the caller asked for ends it Canceled;
    /// any other exception (a timeout's TaskCanceledException among them) faults it.
    /// </summary>
    public bool Fail(Exception exception) =>
        TryEnd(out bool wasRunning) && Finish(
            exception is OperationCanceledException && CancellationToken.IsCancellationRequested ? Outcome.Canceled(CancellationToken) : Outcome.Failed(exception),
            wasRunning);

    /// <summary>
    /// The last line of a runner's <c>finally</c>: fails the work if it is still running (a path
    /// that forgot to end it). Work given back to the queue is left alone: it will run elsewhere.
    /// </summary>
    public void EndIfStillRunning()
    {
        if (Volatile.Read(ref _state) == Running)
        {
            Fail(new InvalidOperationException("The request ended without a result; this is a bug in ProcessFutures."));
        }
    }

    /// <summary>Ends callback-less work with its response.</summary>
    public bool Complete(Response response) => TryEnd(out bool wasRunning) && Finish(Outcome.Value(response), wasRunning);

    /// <summary>Ends the work with a callback's result.</summary>
    public bool CompleteWithResult(object? value) => TryEnd(out bool wasRunning) && Finish(Outcome.Value(value), wasRunning);

    /// <summary>
    /// Ends a download in one step: the complete <paramref name="temporary"/> file is moved to the
    /// destination and the task gets <paramref name="result"/> (a Response, or a callback's result),
    /// or, if the work already ended (cancelled, timed out) or the move fails, the file is removed
    /// and the destination left as it was. So a task that succeeded has its file, and one that
    /// failed has none.
    /// </summary>
    public bool CompleteDownload(string temporary, object? result)
    {
        if (!TryEnd(out bool wasRunning))
        {
            BodyFiles.TryDelete(temporary);
            return false;
        }

        string destination = Prepared.DownloadTo!;
        Outcome outcome;
        try
        {
            BodyFiles.Commit(temporary, destination);
            outcome = Outcome.Value(result is Response { DownloadPath: not null } response ? WithDownloadPath(response, destination) : result);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            BodyFiles.TryDelete(temporary);
            outcome = Outcome.Failed(new IOException($"The body was downloaded, but could not be moved to '{destination}' (RequestOptions.DownloadTo): {exception.Message}", exception));
        }

        return Finish(outcome, wasRunning);
    }

    /// <summary>
    /// In this process: runs the local callback on <paramref name="response"/> (or yields the
    /// response when there is none); the result, for the caller's task. Exceptions propagate to the
    /// caller, which translates timeouts before failing the work.
    /// </summary>
    public abstract Task<object?> RunLocallyAsync(Response response, CancellationToken callbackToken);

    /// <summary>Sets the caller's task; must not throw (it is only ever called once, from <see cref="Finish"/>).</summary>
    protected abstract void SetOutcome(Outcome outcome);

    private static Response WithDownloadPath(Response response, string path) =>
        new(response.StatusCode, response.ReasonPhrase, response.Url, response.Headers, response.Content, response.Elapsed, response.ProcessId, path, response.Attempts);

    private void OnDeadline()
    {
        if (CancellationToken.IsCancellationRequested)
        {
            CancelQueued(CancellationToken);
            return;
        }

        if (Volatile.Read(ref _state) != Queued)
        {
            // Running: whoever runs it enforces what is left of the timeout.
            return;
        }

        Exception? why = NoWorkerReason?.Invoke();
        string message = $"The request was canceled due to the configured timeout of {Deadline.Timeout.TotalSeconds} seconds elapsing before it reached a worker: it waited in the queue the whole time, "
            + (why is null ? "while every slot was busy." : $"and no worker was serving ({why.Message}).");
        FailQueued(new TaskCanceledException(message, new TimeoutException(message, why)));
    }

    private bool TryEnd(out bool wasRunning)
    {
        int previous = Interlocked.Exchange(ref _state, Ended);
        if (previous == Queued)
        {
            Queue?.Remove(this);
        }

        wasRunning = previous == Running;
        return previous != Ended;
    }

    /// <summary>The one way work ends: span and metrics first (an awaiting caller finds them recorded), then the task, then the rest.</summary>
    private bool Finish(Outcome outcome, bool wasRunning)
    {
        try
        {
            EndTelemetry(outcome, wasRunning);
        }
        finally
        {
            try
            {
                SetOutcome(outcome);
            }
            finally
            {
                CloseRegistrations();
                ReleaseDeadline();
                Session.Exit();
            }
        }

        return true;
    }

    /// <summary>The work itself and each run hold the deadline; the last to let go disposes it (its timer, its link to the caller's token).</summary>
    private void ReleaseDeadline()
    {
        if (Interlocked.Decrement(ref _deadlineHolders) == 0)
        {
            Deadline.Dispose();
        }
    }

    private void CloseRegistrations()
    {
        CancellationTokenRegistration deadline;
        CancellationTokenRegistration session;
        lock (_registrationsLock)
        {
            _registrationsClosed = true;
            deadline = _deadlineRegistration;
            session = _sessionRegistration;
            _deadlineRegistration = default;
            _sessionRegistration = default;
        }

        deadline.Unregister();
        session.Unregister();
    }

    private void WatchSessionDisposal() =>
        Keep(ref _sessionRegistration, Session.Disposing.UnsafeRegister(static (state, token) => ((PendingWork)state!).CancelQueued(token), this));

    /// <summary>Stores a registration, or releases it at once if the work already ended (it may have ended inside the registration, on an already-cancelled token).</summary>
    private void Keep(ref CancellationTokenRegistration slot, CancellationTokenRegistration registration)
    {
        bool closed;
        lock (_registrationsLock)
        {
            closed = _registrationsClosed;
            if (!closed)
            {
                slot = registration;
            }
        }

        if (closed)
        {
            registration.Unregister();
        }
    }

    private void Release(ref CancellationTokenRegistration slot)
    {
        CancellationTokenRegistration registration;
        lock (_registrationsLock)
        {
            registration = slot;
            slot = default;
        }

        registration.Unregister();
    }

    /// <summary>How the caller's task ends.</summary>
    protected readonly record struct Outcome(object? Result, Exception? Exception, CancellationToken CanceledBy, bool IsCanceled)
    {
        public static Outcome Value(object? result) => new(result, null, default, false);

        public static Outcome Failed(Exception exception) => new(null, exception, default, false);

        public static Outcome Canceled(CancellationToken token) => new(null, null, token, true);
    }
}
