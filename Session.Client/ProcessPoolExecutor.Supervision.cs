using System.Diagnostics;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>Keeping <see cref="MaxWorkers"/> workers running: starting, replacing, backing off, shutting down.</summary>
public sealed partial class ProcessPoolExecutor
{
    private const string Starting = "starting";
    private const string Ready = "ready";
    private const string Draining = "draining";

    /// <summary>
    /// Keeps one worker running at <paramref name="position"/>: starts it, serves until it dies or
    /// retires, and starts the next. A worker nearing its recycling limit has its replacement
    /// started while it serves (<see cref="ProcessPoolOptions.StartReplacementEarly"/>); the
    /// replacement takes over as soon as it is ready, and the old worker drains in the background.
    /// Failed starts back off (<see cref="Backoff"/>).
    /// </summary>
    private async Task SuperviseAsync(int position)
    {
        CancellationToken stopping = _core.Stopping;
        var backoff = new Backoff();
        Task<LocalWorker?>? replacement = null;
        while (!stopping.IsCancellationRequested)
        {
            LocalWorker? worker = await (replacement ?? StartWorkerAsync(backoff, stopping)).ConfigureAwait(false);
            replacement = null;
            if (worker is null)
            {
                if (stopping.IsCancellationRequested || _permanentFailure)
                {
                    return;
                }

                await backoff.WaitAsync(stopping).ConfigureAwait(false);
                continue;
            }

            long started = Stopwatch.GetTimestamp();
            lock (_stateLock)
            {
                _live++;
                _startFailure = null;
                _current[position] = worker;
            }

            _core.WorkerState(Ready, 1);
            worker.Serve(Options.ConcurrencyPerWorker);
            replacement = await ServeUntilItStopsTakingAsync(worker, backoff, stopping).ConfigureAwait(false);

            lock (_stateLock)
            {
                _live--;
            }

            _core.WorkerState(Ready, -1);
            if (stopping.IsCancellationRequested)
            {
                _core.WorkerState(Draining, 1);
                Task stopped = worker.StopAsync(Options.ShutdownTimeout);
                if (replacement is not null && await replacement.ConfigureAwait(false) is { } spare)
                {
                    await spare.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                }

                await stopped.ConfigureAwait(false);
                _core.WorkerState(Draining, -1);
                return;
            }

            if (worker.IsRetiring && !worker.IsDead)
            {
                _core.WorkerState(Draining, 1);
                Leave(worker, DrainAsync(worker));
                backoff.Reset();
                continue;
            }

            Leave(worker, worker.StopAsync(TimeSpan.Zero));
            if (replacement is null && await DiedOfItselfAtOnceAsync(worker, started).ConfigureAwait(false))
            {
                // It died as soon as it was ready: wait before the next start instead of spinning.
                // It did start, so this is not a start failure: the queue keeps waiting.
                await backoff.WaitAsync(stopping).ConfigureAwait(false);
            }
            else
            {
                backoff.Reset();
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="worker"/> takes no more requests (it died or retired, or the pool
    /// stops). If it nears its recycling limit first, its replacement starts now, and once ready,
    /// the worker retires in its favour. Returns the replacement's start, if one was begun.
    /// </summary>
    private async Task<Task<LocalWorker?>?> ServeUntilItStopsTakingAsync(LocalWorker worker, Backoff backoff, CancellationToken stopping)
    {
        Task<LocalWorker?>? replacement = null;
        try
        {
            Task stoppedTaking = worker.StoppedTaking;
            if (await Task.WhenAny(stoppedTaking, worker.NearingRetirement).WaitAsync(stopping).ConfigureAwait(false) != stoppedTaking)
            {
                replacement = StartWorkerAsync(backoff, stopping);
                if (await Task.WhenAny(stoppedTaking, replacement).WaitAsync(stopping).ConfigureAwait(false) == replacement)
                {
                    if (replacement.Result is null)
                    {
                        // It could not start (said and counted): the next start, after this worker, backs off.
                        replacement = null;
                    }
                    else
                    {
                        WorkerExitReason kind = worker.NearingRetirement.Result;
                        worker.Retire(
                            kind == WorkerExitReason.RecycleTasks
                                ? $"its replacement is ready; it served {worker.TasksDone} requests, near MaxTasksPerWorker {Options.MaxTasksPerWorker}"
                                : $"its replacement is ready; its memory is near MaxWorkerMemoryBytes {Options.MaxWorkerMemoryBytes}",
                            kind);
                    }
                }
            }

            await stoppedTaking.WaitAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return replacement;
    }

    /// <summary>Starts a worker; null when it could not start (said, counted, and for a permanent failure, remembered) or the pool stops.</summary>
    private async Task<LocalWorker?> StartWorkerAsync(Backoff backoff, CancellationToken stopping)
    {
        lock (_stateLock)
        {
            _starting++;
        }

        _core.WorkerState(Starting, 1);
        try
        {
            LocalWorker worker = await _launcher.StartAsync(stopping).ConfigureAwait(false);
            lock (_stateLock)
            {
                _starting--;
            }

            _core.WorkerState(Starting, -1);
            return worker;
        }
        catch (Exception exception)
        {
            lock (_stateLock)
            {
                _starting--;
            }

            _core.WorkerState(Starting, -1);
            if (exception is OperationCanceledException && stopping.IsCancellationRequested)
            {
                return null;
            }

            // Anything else that goes wrong while starting is a failed start too: say what, back off, try again.
            WorkerStartException failure = exception as WorkerStartException
                ?? new WorkerStartException($"Starting a worker failed: {exception.Message}", Options.WorkerPath ?? "ProcessFutures.dll", exception);
            if (failure.IsPermanent)
            {
                // No start can succeed in this process (the launcher logged why, once): stop
                // trying; queued and later requests fail at once with the reason.
                _permanentFailure = true;
                RecordStartFailure(failure);
                return null;
            }

            RecordStartFailure(failure);
            ProcessPoolLog.WorkerStartFailed(_core.Logger, failure, backoff.Current);
            return null;
        }
    }

    /// <summary>
    /// Whether a dead worker ended by itself soon after it started, having served nothing: a worker
    /// that cannot live. One killed from outside (SIGKILL, SIGTERM: a person, the OOM killer, a
    /// test) or by the pool says nothing about the next one, and is replaced at once.
    /// </summary>
    private static async Task<bool> DiedOfItselfAtOnceAsync(LocalWorker worker, long started)
    {
        if (worker.TasksDone > 0 || Stopwatch.GetElapsedTime(started) >= s_minHealthyLife || worker.KilledByPool)
        {
            return false;
        }

        try
        {
            int exitCode = await worker.Exited.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return exitCode is not (137 or 143);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Records a failed start; if no worker runs and none is starting, the pool cannot serve:
    /// every queued request fails with the reason, and so do new ones until a worker starts.
    /// </summary>
    private void RecordStartFailure(WorkerStartException failure)
    {
        bool broken;
        lock (_stateLock)
        {
            broken = _live == 0 && _starting == 0;
            if (broken)
            {
                _startFailure = failure;
            }
        }

        if (broken)
        {
            _core.FailQueued(() => Copy(failure));
        }
    }

    private static WorkerStartException Copy(WorkerStartException failure) =>
        new(failure.Message, failure.WorkerPath, failure.InnerException);
}
