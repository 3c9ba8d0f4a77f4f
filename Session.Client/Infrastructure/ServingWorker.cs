using System.ComponentModel;
using System.Diagnostics;
using ProcessFutures.Internal;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): a worker that serves requests from its
/// executor's queue through slots, each a long-lived stream its <see cref="WorkerConnector"/>
/// opens: a local worker process, or a remote one (ProcessFutures.Remote). What every worker
/// shares is here: taking work, retiring, the state a slot sees, and what a transport's failure
/// means for a request. It knows no transport; how a worker dies and is killed is its subclass's.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[DebuggerDisplay("{Name,nq}: dead = {IsDead}, retiring = {IsRetiring}, {_inFlight} running, {TasksDone} done")]
public abstract class ServingWorker
{
    /// <summary>
    /// How long a request the caller no longer waits for (past its timeout, cancelled, or a
    /// streamed response disposed early) may take to end in the worker before the worker is given up.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly RecyclePolicy? _recycling;
    private readonly int _taskLimit;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _dead = new();
    private readonly TaskCompletionSource _stoppedTaking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerExitReason> _nearingRetirement = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _servingSince;
    private Task[] _slots = [];
    private long _lastCallId;
    private int _tasksDone;
    private int _inFlight;
    private int _retiring;
    private WorkerExitReason _retiredFor;

    /// <summary>A worker reached through <paramref name="connector"/>, never recycled.</summary>
    /// <param name="core">The executor it serves.</param>
    /// <param name="connector">Opens its slots' streams.</param>
    protected ServingWorker(ExecutorCore core, WorkerConnector connector)
        : this(core, connector, recycling: null)
    {
    }

    internal ServingWorker(ExecutorCore core, WorkerConnector connector, RecyclePolicy? recycling)
    {
        Core = core;
        Connector = connector;
        _recycling = recycling;
        _taskLimit = recycling?.TaskLimitForNewWorker() ?? 0;
    }

    /// <summary>The executor it serves.</summary>
    public ExecutorCore Core { get; }

    /// <summary>Opens its slots' streams.</summary>
    public WorkerConnector Connector { get; }

    /// <summary>The worker's process id (for a remote worker, the last one its answers gave; 0 before).</summary>
    public abstract int ProcessId { get; }

    /// <summary>How messages name it: "worker process 123", "remote worker 10.0.0.7:5443 (pid 1)".</summary>
    public abstract string Name { get; }

    /// <summary>Whether the worker sees this process's files (same machine, same user): then it reads and writes the caller's files itself; otherwise they travel on the stream.</summary>
    public abstract bool SharesFiles { get; }

    /// <summary>Whether it died or was given up.</summary>
    public bool IsDead => _dead.IsCancellationRequested;

    /// <summary>Cancelled when the worker dies or is given up.</summary>
    public CancellationToken DeadToken => _dead.Token;

    /// <summary>How many requests it has served.</summary>
    public int TasksDone => Volatile.Read(ref _tasksDone);

    /// <summary>Whether it is retiring: it takes no more requests, and finishes what it runs.</summary>
    public bool IsRetiring => Volatile.Read(ref _retiring) != 0;

    /// <summary>Completes when this worker takes no more requests: it died, or it is retiring.</summary>
    public Task StoppedTaking => _stoppedTaking.Task;

    /// <summary>Completes, with why, when the recycling policy says this worker nears its limit: its replacement may start now.</summary>
    internal Task<WorkerExitReason> NearingRetirement => _nearingRetirement.Task;

    /// <summary>Why it retired.</summary>
    protected WorkerExitReason RetiredFor => _retiredFor;

    /// <summary>How many requests it runs now.</summary>
    protected int InFlight => Volatile.Read(ref _inFlight);

    internal CancellationToken StopTakingToken => _stopTaking.Token;

    /// <summary>The token a slot's hello carries, for a transport that checks it there (the local socket); null when the transport carries it itself.</summary>
    internal string? Token { get; init; }

    /// <summary>Starts the worker's slots taking requests from the executor's queue.</summary>
    /// <param name="slots">How many requests it runs at once.</param>
    public void Serve(int slots)
    {
        _slots = new Task[slots];
        _servingSince = Stopwatch.GetTimestamp();
        for (int i = 0; i < slots; i++)
        {
            _slots[i] = Task.Run(new WorkerSlot(this).RunAsync);
        }
    }

    /// <summary>Stops taking requests; the worker finishes what it runs, and is replaced.</summary>
    /// <param name="reason">Why, for the log.</param>
    /// <param name="kind">Why, for telemetry.</param>
    public void Retire(string reason, WorkerExitReason kind)
    {
        if (Interlocked.Exchange(ref _retiring, 1) == 0)
        {
            _retiredFor = kind;
            OnRetiring(reason);
            StopTaking();
        }
    }

    /// <summary>Gives the worker up now (a local one is killed); every request on it fails with <see cref="WorkerCrashedException"/>.</summary>
    /// <param name="reason">Why, for the log and the requests' exceptions.</param>
    /// <param name="kind">Why, for telemetry.</param>
    public abstract void Kill(string reason, WorkerExitReason kind);

    /// <summary>Lets running requests end within <paramref name="grace"/> (infinite: as long as they take); false if they did not.</summary>
    /// <param name="grace">How long they may take.</param>
    /// <returns>Whether they ended in time.</returns>
    public async Task<bool> SlotsEndedWithinAsync(TimeSpan grace)
    {
        StopTaking();
        Task slots = Task.WhenAll(_slots);
        if (!IsDead && grace != Timeout.InfiniteTimeSpan)
        {
            try
            {
                await slots.WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        await slots.ConfigureAwait(false);
        return true;
    }

    /// <summary>Waits for the slots after a kill (their calls are cancelled).</summary>
    /// <returns>A task that completes when every slot ended.</returns>
    public Task SlotsEndedAsync() => Task.WhenAll(_slots);

    internal long NextCallId() => Interlocked.Increment(ref _lastCallId);

    /// <summary>A frame of an answer said the worker is draining (a remote worker told to stop): take no more work from it.</summary>
    internal void Draining() => Retire("it is draining (it was told to stop)", WorkerExitReason.Shutdown);

    /// <summary>Counts a finished request, and retires the worker if the recycling policy says so.</summary>
    internal void AfterRequest()
    {
        int done = Interlocked.Increment(ref _tasksDone);
        if (_recycling is null || IsRetiring || IsDead)
        {
            return;
        }

        if (_recycling.Assess(ProcessId, done, _taskLimit, Stopwatch.GetElapsedTime(_servingSince), out WorkerExitReason? nearing) is { } retire)
        {
            Retire(retire.Reason, retire.Kind);
        }
        else if (nearing is { } kind)
        {
            _nearingRetirement.TrySetResult(kind);
        }
    }

    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);

    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Says what a failure of a call on this worker means for its request: null when the request
    /// never reached the worker and went back to the queue; a <see cref="WorkerCrashedException"/>
    /// when the worker is gone (or was given up); otherwise the exception itself. A message too
    /// large for the other side is not a dead worker.
    /// </summary>
    internal async Task<Exception?> ExplainFailureAsync(PendingWork work, Exception exception)
    {
        if (!IsDead && exception is OperationCanceledException && work.CancellationToken.IsCancellationRequested)
        {
            return exception;
        }

        if (exception is StreamEndedException { BeforeAnswer: true })
        {
            // The worker ended the stream without reading the request (it is draining): nothing
            // ran. The request goes back to the queue for another worker; this is not a retry.
            Draining();
            Core.Requeue(work);
            return null;
        }

        switch ((exception as WorkerTransportException)?.Failure)
        {
            case TransportFailure.Refused:
                // It refuses connections, so it is dead, dying or not there, and nothing reached it.
                // The request goes back to the queue for another worker; this is not a retry.
                Kill("it refused a connection", WorkerExitReason.Crash);
                Core.Requeue(work);
                return null;

            case TransportFailure.Unauthenticated:
                Kill("it refused this process's token", WorkerExitReason.Crash);
                return new UnauthorizedAccessException(
                    $"The {Name} refused this process's token: the request was not run. Give the executor the workers' token (RemoteWorkerOptions.Token or TokenFile, or PROCESSFUTURES_TOKEN).",
                    exception);

            case TransportFailure.TooLarge when !IsDead:
                return new InvalidOperationException(
                    $"A message between this process and {Name} was larger than the other side accepts ({exception.Message}); this request failed, the worker was not harmed. This is a bug in ProcessFutures: messages are meant to be chunked.",
                    exception);
        }

        if (IsDead || exception is IOException or InvalidDataException)
        {
            WorkerCrashedException crash = await DescribeLossAsync($"{work.Request.Method} {Describe.Url(work.Request.Url)}", exception).ConfigureAwait(false);

            // Now, not when an exit watcher gets to it: this worker's slots must not take more work.
            MarkDead();
            return crash;
        }

        return exception;
    }

    /// <summary>What a reader of a streamed body is told when the stream broke under it: the worker is gone.</summary>
    internal async Task<Exception> ExplainLossAsync(string request, Exception exception)
    {
        if (exception is StreamEndedException or WorkerTransportException or IOException or InvalidDataException || IsDead)
        {
            WorkerCrashedException crash = await DescribeLossAsync(request, exception).ConfigureAwait(false);
            MarkDead();
            return crash;
        }

        return exception;
    }

    /// <summary>Takes what an answer's head says about the worker (a remote worker's pid).</summary>
    /// <param name="processId">The pid the head gave.</param>
    protected internal virtual void Answered(int processId)
    {
    }

    /// <summary>The exception for a request whose call broke: the worker died, or was given up for it.</summary>
    /// <param name="request">The request, as "METHOD url".</param>
    /// <param name="exception">What the transport saw.</param>
    /// <returns>The exception to fail the request with.</returns>
    protected abstract Task<WorkerCrashedException> DescribeLossAsync(string request, Exception exception);

    /// <summary>Logs that it retires.</summary>
    /// <param name="reason">Why.</param>
    protected abstract void OnRetiring(string reason);

    /// <summary>Takes no more requests.</summary>
    protected void StopTaking()
    {
        _stopTaking.Cancel();
        _stoppedTaking.TrySetResult();
    }

    /// <summary>It died or was given up: every call on it ends.</summary>
    protected void MarkDead()
    {
        StopTaking();
        _dead.Cancel();
    }
}
