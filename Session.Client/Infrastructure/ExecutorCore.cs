using System.ComponentModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Internal;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): what every executor is made of: the queue,
/// submission (with the checks that refuse a session or callback the executor cannot serve), the
/// executor's telemetry, disposal (queued requests end Canceled, then the executor stops what it
/// runs), and what a request still queued at its deadline is told. Each executor holds one; what
/// is left in the executor is only what makes it that executor (threads, local processes, remote
/// addresses).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[DebuggerDisplay("{Kind,nq}: {_queue.Count} queued, disposed = {_disposal.IsDisposed}")]
public sealed class ExecutorCore
{
    private readonly WorkQueue _queue;
    private readonly ExecutorTelemetry _telemetry;
    private readonly DisposeOnce _disposal = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Placement _placement;
    private Func<Exception?>? _refuseNew;
    private Func<Exception?>? _noWorkerReason;

    /// <summary>Creates the core of an executor.</summary>
    /// <param name="kind">The executor's name in telemetry: thread, process or remote.</param>
    /// <param name="placement">Where requests run, which decides what can be sent there.</param>
    /// <param name="logger">The executor's logger; default: none.</param>
    /// <param name="meterFactory">Creates its <c>ProcessFutures</c> meter; default: none (it makes its own).</param>
    public ExecutorCore(string kind, Placement placement, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        Kind = kind;
        _placement = placement;
        Logger = logger ?? NullLogger.Instance;
        _telemetry = new ExecutorTelemetry(kind, meterFactory);
        _queue = new WorkQueue(_telemetry.Queued);
    }

    /// <summary>Where an executor runs its requests.</summary>
    public enum Placement
    {
        /// <summary>In this process: anything goes, wrapped HttpClients and lambdas included.</summary>
        InProcess,

        /// <summary>In worker processes on this machine, as this user: named static callbacks, the caller's files.</summary>
        Local,

        /// <summary>In workers on other machines: public static callbacks of assemblies the workers ship.</summary>
        Remote,
    }

    /// <summary>The executor's name in telemetry.</summary>
    public string Kind { get; }

    /// <summary>The executor's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The executor's meter, for instruments of its own.</summary>
    public Meter Meter => _telemetry.Meter;

    /// <summary>Whether the executor is shutting down (a dead worker is then not replaced).</summary>
    public bool IsShuttingDown => _stopping.IsCancellationRequested;

    /// <summary>Cancelled when the executor starts shutting down.</summary>
    public CancellationToken Stopping => _stopping.Token;

    internal WorkQueue Queue => _queue;

    internal ExecutorTelemetry Telemetry => _telemetry;

    internal bool RunsOutOfProcess => _placement != Placement.InProcess;

    internal bool SharesFiles => _placement != Placement.Remote;

    /// <summary>Throws <see cref="ObjectDisposedException"/> once disposal has started.</summary>
    /// <param name="owner">The executor, for the message.</param>
    public void ThrowIfDisposed(object owner) => _disposal.ThrowIfDisposed(owner);

    /// <summary>
    /// Sets what a submission asks first: an exception to fail a new request with at once (no
    /// worker can start, so waiting would only delay the answer), or null to queue it.
    /// </summary>
    /// <param name="refuseNew">Called on every submission.</param>
    public void RefuseNewWhen(Func<Exception?> refuseNew) => _refuseNew = refuseNew;

    /// <summary>Sets what a request that timed out in the queue is told: why no worker was serving (null: every slot was busy).</summary>
    /// <param name="reason">Called when such a request times out.</param>
    public void ExplainNoWorkerWith(Func<Exception?> reason) => _noWorkerReason = reason;

    /// <summary>Fails every queued request with <paramref name="reason"/> (a copy each): no worker can take them.</summary>
    /// <param name="reason">Makes the exception for one request.</param>
    public void FailQueued(Func<Exception> reason)
    {
        foreach (PendingWork work in _queue.Drain(complete: false))
        {
            work.FailQueued(reason());
        }
    }

    /// <summary>Fails the queued requests submitted more than <paramref name="waited"/> ago with <paramref name="reason"/> (a copy each); the others stay queued.</summary>
    /// <param name="waited">How long a request may have waited.</param>
    /// <param name="reason">Makes the exception for one request.</param>
    /// <returns>How many were failed.</returns>
    public int FailQueuedLongerThan(TimeSpan waited, Func<Exception> reason)
    {
        int failed = 0;
        foreach (PendingWork work in _queue.Snapshot())
        {
            if (work.WaitedInQueue >= waited)
            {
                work.FailQueued(reason());
                failed++;
            }
        }

        return failed;
    }

    /// <summary>Counts workers by state (starting, ready, draining).</summary>
    /// <param name="state">The state.</param>
    /// <param name="change">+1 or -1.</param>
    public void WorkerState(string state, int change) => _telemetry.WorkerState(state, change);

    /// <summary>Counts a worker's end.</summary>
    /// <param name="reason">Why it ended.</param>
    public void WorkerExited(WorkerExitReason reason) => _telemetry.WorkerExited(reason);

    /// <summary>
    /// Shuts the executor down once: cancels <see cref="Stopping"/> and every queued request (their
    /// tasks end Canceled), runs <paramref name="stopWorkers"/>, then releases the telemetry. Every
    /// call returns the same task; submissions afterwards throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="stopWorkers">Stops what the executor runs (threads, workers), letting running requests finish as it decides.</param>
    /// <returns>A task that completes when the executor has stopped.</returns>
    public Task DisposeAsync(Func<Task> stopWorkers) => _disposal.Run(async () =>
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (PendingWork work in _queue.Drain(complete: true))
        {
            work.CancelQueued(_stopping.Token);
        }

        try
        {
            await stopWorkers().ConfigureAwait(false);
        }
        finally
        {
            _telemetry.Dispose();
        }
    });

    /// <summary>Refuses, at construction, a session this executor cannot serve.</summary>
    internal void Validate(SessionContext session, object owner)
    {
        _disposal.ThrowIfDisposed(owner);
        if (RunsOutOfProcess && session.WrappedClient is not null)
        {
            throw new SerializationException(
                $"This FuturesSession wraps an HttpClient and cannot use a {owner.GetType().Name}: an HttpClient (its handler, connections and state) " +
                "cannot be sent to another process. Describe the session as data instead: new FuturesSession(executor, options: new SessionOptions { ... }) " +
                $"(headers, cookies, base address, timeout, auth, TLS and proxy settings); {CallbackInspector.ReadmeSection}.");
        }
    }

    /// <summary>
    /// Checks, synchronously and before anything is queued, that <paramref name="callback"/> can
    /// run where this executor runs callbacks; returns how to name it there (null: it runs in this
    /// process as it is).
    /// </summary>
    internal CallbackReference? PrepareCallback(Delegate callback) =>
        _placement == Placement.InProcess ? null : CallbackInspector.Describe(callback, publicOnly: _placement == Placement.Remote);

    /// <summary>Queues the work, or fails it at once when no worker can take it. Throws <see cref="ObjectDisposedException"/> after disposal.</summary>
    internal void Submit(PendingWork work, object owner)
    {
        _disposal.ThrowIfDisposed(owner);
        work.Queue = _queue;
        work.NoWorkerReason = _noWorkerReason;
        if (!_queue.TryEnqueue(work))
        {
            throw new ObjectDisposedException(owner.GetType().Name);
        }

        // Asked after queueing: an executor records why no worker can start, then fails what is
        // queued, so a request is failed by one or the other whichever comes first.
        if (_refuseNew?.Invoke() is { } refused)
        {
            work.FailQueued(refused);
        }
    }

    /// <summary>
    /// Puts back, first in line, work that never reached a worker (its connection was refused, or
    /// the worker was draining); work the queue no longer takes (shutting down) ends Canceled.
    /// </summary>
    internal void Requeue(PendingWork work)
    {
        if (work.ReturnToQueue() && !_queue.TryEnqueue(work, front: true))
        {
            work.CancelQueued(CancellationToken.None);
        }
    }
}
