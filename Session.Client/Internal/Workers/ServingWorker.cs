using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using WorkerProtocol = ProcessFutures.Protocol.Worker;

namespace ProcessFutures.Internal;

/// <summary>
/// A worker that serves requests from its host's queue through slots, each a long-lived gRPC
/// stream on the worker's one channel: a local worker process (<see cref="WorkerProcess"/>) or a
/// remote one (<see cref="RemoteWorker"/>). What the two share: taking work, retiring, the state a
/// slot sees, and the reading of failures; how they die and are killed is theirs.
/// </summary>
[DebuggerDisplay("{Name,nq}: dead = {IsDead}, retiring = {IsRetiring}, {_inFlight} running, {TasksDone} done")]
internal abstract class ServingWorker
{
    /// <summary>
    /// How long a request the caller no longer waits for (past its timeout, cancelled, or a
    /// streamed response disposed early) may take to end in the worker before the worker is given up.
    /// </summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly WorkerProtocol.WorkerClient? _client;
    private readonly Metadata _headers;
    private readonly RecyclePolicy? _recycling;
    private readonly int _taskLimit;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _dead = new();
    private readonly TaskCompletionSource _stoppedTaking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _slots = [];
    private long _lastCallId;
    private int _tasksDone;
    private int _inFlight;
    private int _retiring;
    private WorkerExitReason _retiredFor;

    /// <summary>A worker reached through <paramref name="channel"/>, or, when that is null, through the streams its slots open themselves (<see cref="OpenStreamAsync"/>).</summary>
    protected ServingWorker(IWorkerHost host, GrpcChannel? channel, string token, RecyclePolicy? recycling)
    {
        Host = host;
        Channel = channel;
        Token = token;
        _client = channel is null ? null : new WorkerProtocol.WorkerClient(channel);
        _headers = new Metadata { { WorkerEnvironment.TokenHeader, token } };
        _recycling = recycling;
        _taskLimit = recycling?.TaskLimitForNewWorker() ?? 0;
    }

    public IWorkerHost Host { get; }

    /// <summary>The worker's process id (for a remote worker, the last one its answers gave; 0 before).</summary>
    public abstract int ProcessId { get; }

    /// <summary>How messages name it: "worker process 123", "remote worker 10.0.0.7:5443 (pid 1)".</summary>
    public abstract string Name { get; }

    public bool IsDead => _dead.IsCancellationRequested;

    /// <summary>Cancelled when the worker dies or is given up.</summary>
    public CancellationToken DeadToken => _dead.Token;

    public int TasksDone => Volatile.Read(ref _tasksDone);

    public bool IsRetiring => Volatile.Read(ref _retiring) != 0;

    /// <summary>Completes when this worker takes no more requests: it died, or it is retiring.</summary>
    public Task StoppedTaking => _stoppedTaking.Task;

    /// <summary>Cancelled when the worker takes no more requests.</summary>
    public CancellationToken StopTakingToken => _stopTaking.Token;

    protected GrpcChannel? Channel { get; }

    /// <summary>The token the worker expects.</summary>
    protected string Token { get; }

    protected int InFlight => Volatile.Read(ref _inFlight);

    protected WorkerExitReason RetiredFor => _retiredFor;

    /// <summary>Starts the worker's slots taking requests from the host's queue.</summary>
    public void Serve(int slots)
    {
        _slots = new Task[slots];
        for (int i = 0; i < slots; i++)
        {
            _slots[i] = Task.Run(new WorkerSlot(this).RunAsync);
        }
    }

    /// <summary>A new long-lived stream for a slot; calls on it end when the worker dies.</summary>
    public virtual Task<SlotStream> OpenStreamAsync() =>
        Task.FromResult<SlotStream>(new GrpcSlotStream((_client ?? throw new InvalidOperationException("This worker has no gRPC channel.")).Serve(_headers, cancellationToken: _dead.Token)));

    public long NextCallId() => Interlocked.Increment(ref _lastCallId);

    /// <summary>Counts a finished request, and retires the worker if the recycling policy says so.</summary>
    public void AfterRequest()
    {
        int done = Interlocked.Increment(ref _tasksDone);
        if (!IsRetiring && !IsDead && _recycling?.ReasonToRetire(ProcessId, done, _taskLimit) is { } retire)
        {
            Retire(retire.Reason, retire.Kind);
        }
    }

    /// <summary>Stops taking requests; the worker finishes what it runs, and is replaced.</summary>
    public void Retire(string reason, WorkerExitReason kind)
    {
        if (Interlocked.Exchange(ref _retiring, 1) == 0)
        {
            _retiredFor = kind;
            OnRetiring(reason);
            StopTaking();
        }
    }

    /// <summary>Gives the worker up now (a local one is killed); every request on it fails with WorkerCrashedException.</summary>
    public abstract void Kill(string reason, WorkerExitReason kind);

    /// <summary>A frame of an answer said the worker is draining (a remote worker told to stop): take no more work from it.</summary>
    public void Draining() => Retire("it is draining (it was told to stop)", WorkerExitReason.Shutdown);

    /// <summary>
    /// Says what a failure of a call on this worker means for its request: null when the request
    /// never reached the worker and went back to the queue; a <see cref="WorkerCrashedException"/>
    /// when the worker is gone (or was given up); otherwise the exception itself. A message too
    /// large for the channel is not a dead worker.
    /// </summary>
    public async Task<Exception?> ExplainFailureAsync(PendingWork work, Exception exception)
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
            Host.Requeue(work);
            return null;
        }

        if (IsConnectionRefused(exception))
        {
            // It refuses connections, so it is dead, dying or not there, and nothing reached it.
            // The request goes back to the queue for another worker; this is not a retry.
            Kill("it refused a connection", WorkerExitReason.Crash);
            Host.Requeue(work);
            return null;
        }

        if (exception is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied })
        {
            Kill("it refused this process's token", WorkerExitReason.Crash);
            return new UnauthorizedAccessException(
                $"The {Name} refused this process's token: the request was not run. Give the executor the workers' token (RemoteWorkerOptions.Token or TokenFile, or PROCESSFUTURES_TOKEN).",
                exception);
        }

        if (!IsDead && exception is RpcException { StatusCode: StatusCode.ResourceExhausted } tooLarge)
        {
            return new InvalidOperationException(
                $"A message between this process and {Name} was larger than the channel allows ({tooLarge.Status.Detail}); this request failed, the worker was not harmed. This is a bug in ProcessFutures: messages are meant to be chunked.",
                exception);
        }

        if (IsDead || exception is RpcException or IOException)
        {
            WorkerCrashedException crash = await DescribeLossAsync(work, exception).ConfigureAwait(false);

            // Now, not when an exit watcher gets to it: this worker's slots must not take more work.
            MarkDead();
            return crash;
        }

        return exception;
    }

    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);

    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Takes what an answer's head says about the worker (a remote worker's pid).</summary>
    internal virtual void Answered(ResponseHead head)
    {
    }

    /// <summary>The exception for a request whose call broke: the worker died, or was given up for it.</summary>
    protected abstract Task<WorkerCrashedException> DescribeLossAsync(PendingWork work, Exception exception);

    protected abstract void OnRetiring(string reason);

    /// <summary>Lets running requests end within <paramref name="grace"/> (infinite: as long as they take); false if they did not.</summary>
    protected async Task<bool> SlotsEndedWithinAsync(TimeSpan grace)
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
    protected Task SlotsEndedAsync() => Task.WhenAll(_slots);

    protected void StopTaking()
    {
        _stopTaking.Cancel();
        _stoppedTaking.TrySetResult();
    }

    protected void MarkDead()
    {
        StopTaking();
        _dead.Cancel();
    }

    private static bool IsConnectionRefused(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException ?? (e as RpcException)?.Status.DebugException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable }
                || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}
