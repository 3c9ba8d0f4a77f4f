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
    /// retires, and starts the next at once (a retiring worker drains in the background while its
    /// replacement serves). Failed starts back off (<see cref="Backoff"/>).
    /// </summary>
    private async Task SuperviseAsync(int position)
    {
        CancellationToken stopping = _core.Stopping;
        var backoff = new Backoff();
        while (!stopping.IsCancellationRequested)
        {
            lock (_stateLock)
            {
                _starting++;
            }

            _core.WorkerState(Starting, 1);
            LocalWorker worker;
            try
            {
                worker = await _launcher.StartAsync(stopping).ConfigureAwait(false);
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
                    return;
                }

                // Anything else that goes wrong while starting is a failed start too: say what, back off, try again.
                WorkerStartException failure = exception as WorkerStartException
                    ?? new WorkerStartException($"Starting a worker failed: {exception.Message}", Options.WorkerPath ?? "ProcessFutures.dll", exception);
                if (failure.IsPermanent)
                {
                    // No start can succeed in this process (the launcher logged why, once): stop
                    // trying; queued and later requests fail at once with the reason.
                    RecordStartFailure(failure);
                    return;
                }

                RecordStartFailure(failure);
                ProcessPoolLog.WorkerStartFailed(_core.Logger, failure, backoff.Current);
                await backoff.WaitAsync(stopping).ConfigureAwait(false);
                continue;
            }

            long started = Stopwatch.GetTimestamp();
            lock (_stateLock)
            {
                _starting--;
                _live++;
                _startFailure = null;
                _current[position] = worker;
            }

            _core.WorkerState(Starting, -1);
            _core.WorkerState(Ready, 1);
            worker.Serve(Options.ConcurrencyPerWorker);
            try
            {
                await worker.StoppedTaking.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            lock (_stateLock)
            {
                _live--;
            }

            _core.WorkerState(Ready, -1);
            if (stopping.IsCancellationRequested)
            {
                _core.WorkerState(Draining, 1);
                await worker.StopAsync(Options.ShutdownTimeout).ConfigureAwait(false);
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
            if (await DiedOfItselfAtOnceAsync(worker, started).ConfigureAwait(false))
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
