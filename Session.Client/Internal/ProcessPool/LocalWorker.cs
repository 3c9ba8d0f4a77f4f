using System.ComponentModel;
using System.Diagnostics;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// One running local worker process: its lifetime (serving, retiring, stopping, death) on top of
/// what every worker has. Death is event-driven: the process's exit, or a kill by the pool,
/// cancels every call on it at once; each death is logged once, with its pid, how it ended and why.
/// It shares this process's files: it reads and writes the caller's UploadFrom and DownloadTo files
/// itself.
/// </summary>
internal sealed class LocalWorker : ServingWorker
{
    /// <summary>How long a worker told to exit (stdin closed) may take before it is killed.</summary>
    private static readonly TimeSpan s_exitWait = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly WorkerOutput _output;
    private readonly string _socketPath;
    private readonly Task<int> _exited;
    private readonly Task _exitWatch;
    private readonly string? _startTime;
    private int _stopping;
    private string? _killReason;
    private WorkerExitReason _killedFor;

    public LocalWorker(ExecutorCore core, WorkerConnector connector, Process process, string socketPath, Task<int> exited, WorkerOutput output, RecyclePolicy recycling)
        : base(core, connector, recycling)
    {
        _process = process;
        _socketPath = socketPath;
        _exited = exited;
        _output = output;
        ProcessId = process.Id;
        _startTime = DiagnosticFiles.StartTimeOf(ProcessId);
        _exitWatch = WatchExitAsync();
    }

    public override int ProcessId { get; }

    public override bool SharesFiles => true;

    public override string Name => $"worker process {ProcessId}";

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => _exited;

    /// <summary>Whether the pool killed it (rather than it dying by itself, or being stopped).</summary>
    public bool KilledByPool => Volatile.Read(ref _killReason) is not null;

    /// <summary>Kills the process now; every request on it fails with WorkerCrashedException.</summary>
    public override void Kill(string reason, WorkerExitReason kind)
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
        if (!await SlotsEndedWithinAsync(grace).ConfigureAwait(false))
        {
            Kill($"requests were still running after the shutdown grace period of {grace.TotalSeconds:0.###} s", WorkerExitReason.Shutdown);
            await SlotsEndedAsync().ConfigureAwait(false);
        }

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
                Kill($"it did not exit within {s_exitWait.TotalSeconds:0} s of being told to", IsRetiring ? RetiredFor : WorkerExitReason.Shutdown);
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

        Connector.Dispose();
        await DisposeProcessAsync().ConfigureAwait(false);
        PoolDirectory.RemoveSocket(_socketPath);
    }

    protected override void OnRetiring(string reason) => ProcessPoolLog.WorkerRecycling(Core.Logger, ProcessId, reason);

    /// <summary>
    /// Disposes the process once its output readers have seen the end of its pipes (so no read is
    /// pending, nor faults unobserved, when it goes; at most a few seconds, for pipes a child of the
    /// worker still holds), and removes what its runtime left in the temporary directory.
    /// </summary>
    private async Task DisposeProcessAsync()
    {
        using (var drained = new CancellationTokenSource(s_exitWait))
        {
            try
            {
                await _process.WaitForExitAsync(drained.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _process.Dispose();
        DiagnosticFiles.RemoveLeftBy(ProcessId, _startTime);
    }

    protected override async Task<WorkerCrashedException> DescribeLossAsync(string request, Exception exception)
    {
        if (!IsDead && !await ExitedWithinAsync(s_exitWait).ConfigureAwait(false))
        {
            Kill($"its call broke while it kept running ({exception.Message})", WorkerExitReason.Crash);
        }

        await ExitedWithinAsync(s_exitWait).ConfigureAwait(false);
        int? exitCode = _exited.IsCompletedSuccessfully ? _exited.Result : null;
        string how = exitCode is int code ? How(code) : "died";
        string why = Volatile.Read(ref _killReason) is { } reason ? $"; the pool killed it because {reason}" : string.Empty;
        string next = Core.IsShuttingDown ? "The pool is shutting down." : "The pool replaces it.";
        string message = $"Worker process {ProcessId} {how} while running this request ({request}){why}. " +
            $"The request was not retried, as it may not be idempotent. {next}";
        return new WorkerCrashedException(message, ProcessId, exitCode, exception);
    }

    /// <summary>"exited with code 3", or "was killed by SIGKILL (exit code 137)".</summary>
    private static string How(int exitCode) => exitCode switch
    {
        134 => "was killed by SIGABRT (exit code 134)",
        137 => "was killed by SIGKILL (exit code 137)",
        139 => "was killed by SIGSEGV (exit code 139)",
        143 => "was killed by SIGTERM (exit code 143)",
        > 128 and < 160 => $"was killed by signal {exitCode - 128} (exit code {exitCode})",
        _ => $"exited with code {exitCode}",
    };

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
        int inFlight = InFlight;
        MarkDead();
        string? killedFor = Volatile.Read(ref _killReason);
        bool stopping = Volatile.Read(ref _stopping) != 0;
        Core.WorkerExited(killedFor is not null ? _killedFor : exitCode != 0 ? WorkerExitReason.Crash : IsRetiring ? RetiredFor : stopping ? WorkerExitReason.Shutdown : WorkerExitReason.Crash);
        if (killedFor is not null)
        {
            ProcessPoolLog.WorkerKilled(Core.Logger, ProcessId, How(exitCode), killedFor);
        }
        else if (stopping && exitCode == 0)
        {
            ProcessPoolLog.WorkerStopped(Core.Logger, ProcessId);
        }
        else
        {
            ProcessPoolLog.WorkerDied(Core.Logger, ProcessId, How(exitCode), stopping ? "while stopping" : "while serving", inFlight, _output.Explain());
        }
    }
}
