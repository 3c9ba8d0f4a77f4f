using System.ComponentModel;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Session.Contracts.Internal;
using WorkerProtocol = Session.Protocol.Worker;

namespace Session.Client.Internal;

/// <summary>
/// One running worker process: its lifetime (serving, retiring, stopping, death), its gRPC
/// channel and its slots. Death is event-driven: the process's exit, or a kill by the pool,
/// cancels every call on it at once; each death is logged once, with its pid, how it ended and why.
/// </summary>
[DebuggerDisplay("worker {ProcessId}: dead = {IsDead}, retiring = {IsRetiring}, {_inFlight} running, {TasksDone} done")]
internal sealed partial class WorkerProcess
{
    /// <summary>
    /// How long a request the caller no longer waits for (past its timeout, cancelled, or a
    /// streamed response disposed early) may take to end in the worker before the worker is killed.
    /// </summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long a worker told to exit (stdin closed) may take before it is killed.</summary>
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly WorkerProtocol.WorkerClient _client;
    private readonly Metadata _headers;
    private readonly WorkerOutput _output;
    private readonly string _socketPath;
    private readonly Task<int> _exited;
    private readonly int _taskLimit;
    private readonly RecyclePolicy _recycling;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _dead = new();
    private readonly TaskCompletionSource _stoppedTaking = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _slots = [];
    private long _lastCallId;
    private int _tasksDone;
    private int _inFlight;
    private int _retiring;
    private int _stopping;
    private string? _killReason;
    private readonly Task _exitWatch;
    private WorkerExitReason _killedFor;
    private WorkerExitReason _retiredFor;

    public WorkerProcess(IWorkerHost host, Process process, string socketPath, string token, Task<int> exited, WorkerOutput output, RecyclePolicy recycling)
    {
        Host = host;
        _process = process;
        _socketPath = socketPath;
        _exited = exited;
        _output = output;
        _recycling = recycling;
        _taskLimit = recycling.TaskLimitForNewWorker();
        ProcessId = process.Id;
        _channel = UnixSocketChannel.Create(socketPath);
        _client = new WorkerProtocol.WorkerClient(_channel);
        _headers = new Metadata { { WorkerEnvironment.TokenHeader, token } };
        _exitWatch = WatchExitAsync();
    }

    public IWorkerHost Host { get; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => _exited;

    /// <summary>Whether the pool killed it (rather than it dying by itself, or being stopped).</summary>
    public bool KilledByPool => Volatile.Read(ref _killReason) is not null;

    public int ProcessId { get; }

    public bool IsDead => _dead.IsCancellationRequested;

    public int TasksDone => Volatile.Read(ref _tasksDone);

    public bool IsRetiring => Volatile.Read(ref _retiring) != 0;

    /// <summary>Completes when this worker takes no more requests: it died, or it is retiring.</summary>
    public Task StoppedTaking => _stoppedTaking.Task;

    /// <summary>Cancelled when the worker takes no more requests.</summary>
    public CancellationToken StopTakingToken => _stopTaking.Token;

    /// <summary>Starts the worker's slots taking requests from the pool's queue.</summary>
    public void Serve(int slots)
    {
        _slots = new Task[slots];
        for (int i = 0; i < slots; i++)
        {
            _slots[i] = Task.Run(new WorkerSlot(this).RunAsync);
        }
    }

    /// <summary>A new long-lived stream for a slot; calls on it end when the worker dies.</summary>
    public SlotStream OpenStream() => new(_client.Serve(_headers, cancellationToken: _dead.Token));

    public long NextCallId() => Interlocked.Increment(ref _lastCallId);

    /// <summary>Counts a finished request, and retires the worker if the recycling policy says so.</summary>
    public void AfterRequest()
    {
        int done = Interlocked.Increment(ref _tasksDone);
        if (!IsRetiring && !IsDead && _recycling.ReasonToRetire(ProcessId, done, _taskLimit) is { } retire)
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
            ProcessPoolLog.WorkerRecycling(Host.Logger, ProcessId, reason);
            StopTaking();
        }
    }

    /// <summary>Kills the process now; every request on it fails with WorkerCrashedException.</summary>
    public void Kill(string reason, WorkerExitReason kind)
    {
        if (_exited.IsCompleted)
        {
            MarkDead();
            return;
        }

        if (Interlocked.CompareExchange(ref _killReason, reason, null) is null)
        {
            _killedFor = kind;
        }

        try
        {
            _process.Kill();
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception)
        {
            // It already exited.
        }

        MarkDead();
    }

    /// <summary>
    /// Stops the worker: no new requests; running ones may finish within <paramref name="grace"/>
    /// (infinite: as long as they take; each has its own timeout); then stdin is closed, which
    /// tells the worker to exit, and a worker that does not is killed. Releases everything.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Interlocked.Exchange(ref _stopping, 1);
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
                Kill($"requests were still running after the shutdown grace period of {grace.TotalSeconds:0.###} s", WorkerExitReason.Shutdown);
            }
        }

        await slots.ConfigureAwait(false);
        if (!IsDead)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException)
            {
            }

            if (!await ExitedWithinAsync(s_exitWait).ConfigureAwait(false))
            {
                Kill($"it did not exit within {s_exitWait.TotalSeconds:0} s of being told to", IsRetiring ? _retiredFor : WorkerExitReason.Shutdown);
            }
        }

        await ExitedWithinAsync(s_exitWait).ConfigureAwait(false);

        // Its end is logged and counted before the pool goes on (a disposed pool counts nothing).
        try
        {
            await _exitWatch.WaitAsync(s_exitWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _channel.Dispose();
        _process.Dispose();
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan wait)
    {
        try
        {
            await _exited.WaitAsync(wait).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task WatchExitAsync()
    {
        int exitCode = await _exited.ConfigureAwait(false);
        int inFlight = Volatile.Read(ref _inFlight);
        MarkDead();
        string? killedFor = Volatile.Read(ref _killReason);
        bool stopping = Volatile.Read(ref _stopping) != 0;
        Host.WorkerExited(killedFor is not null ? _killedFor : exitCode != 0 ? WorkerExitReason.Crash : IsRetiring ? _retiredFor : stopping ? WorkerExitReason.Shutdown : WorkerExitReason.Crash);
        if (killedFor is not null)
        {
            ProcessPoolLog.WorkerKilled(Host.Logger, ProcessId, How(exitCode), killedFor);
        }
        else if (stopping && exitCode == 0)
        {
            ProcessPoolLog.WorkerStopped(Host.Logger, ProcessId);
        }
        else
        {
            ProcessPoolLog.WorkerDied(Host.Logger, ProcessId, How(exitCode), stopping ? "while stopping" : "while serving", inFlight, _output.Explain());
        }
    }

    private void StopTaking()
    {
        _stopTaking.Cancel();
        _stoppedTaking.TrySetResult();
    }

    private void MarkDead()
    {
        StopTaking();
        _dead.Cancel();
    }

    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);

    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);
}
