using System.Diagnostics;
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
    /// replacement serves). Failed starts back off, doubling, with jitter, up to 10 seconds.
    /// </summary>
    private async Task SuperviseAsync(int position)
    {
        CancellationToken stopping = _stopping.Token;
        TimeSpan backoff = s_firstBackoff;
        while (!stopping.IsCancellationRequested)
        {
            lock (_stateLock)
            {
                _starting++;
            }

            _telemetry.WorkerState(Starting, 1);
            WorkerProcess worker;
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

                _telemetry.WorkerState(Starting, -1);
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

                backoff = await BackOffAsync(failure, backoff, stopping).ConfigureAwait(false);
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

            _telemetry.WorkerState(Starting, -1);
            _telemetry.WorkerState(Ready, 1);
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

            _telemetry.WorkerState(Ready, -1);
            if (stopping.IsCancellationRequested)
            {
                _telemetry.WorkerState(Draining, 1);
                await worker.StopAsync(Options.ShutdownTimeout).ConfigureAwait(false);
                _telemetry.WorkerState(Draining, -1);
                return;
            }

            if (worker.IsRetiring && !worker.IsDead)
            {
                _telemetry.WorkerState(Draining, 1);
                Leave(worker, DrainAsync(worker));
                backoff = s_firstBackoff;
                continue;
            }

            Leave(worker, worker.StopAsync(TimeSpan.Zero));
            if (await DiedOfItselfAtOnceAsync(worker, started).ConfigureAwait(false))
            {
                // It died as soon as it was ready: wait before the next start instead of spinning.
                // It did start, so this is not a start failure: the queue keeps waiting.
                await DelayAsync(backoff, stopping).ConfigureAwait(false);
                backoff = Next(backoff);
            }
            else
            {
                backoff = s_firstBackoff;
            }
        }
    }

    /// <summary>
    /// Whether a dead worker ended by itself soon after it started, having served nothing: a worker
    /// that cannot live. One killed from outside (SIGKILL, SIGTERM: a person, the OOM killer, a
    /// test) or by the pool says nothing about the next one, and is replaced at once.
    /// </summary>
    private static async Task<bool> DiedOfItselfAtOnceAsync(WorkerProcess worker, long started)
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
    /// Records a failed start (see <see cref="RecordStartFailure"/>), then waits before the next
    /// attempt and returns the following delay.
    /// </summary>
    private async Task<TimeSpan> BackOffAsync(WorkerStartException failure, TimeSpan backoff, CancellationToken stopping)
    {
        RecordStartFailure(failure);
        ProcessPoolLog.WorkerStartFailed(_logger, failure, backoff);
        await DelayAsync(backoff, stopping).ConfigureAwait(false);
        return Next(backoff);
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
            foreach (PendingWork work in _queue.Drain(complete: false))
            {
                work.Fail(Copy(failure));
            }
        }
    }

    private static TimeSpan Next(TimeSpan backoff) => backoff * 2 < s_maxBackoff ? backoff * 2 : s_maxBackoff;

    /// <summary>Waits about <paramref name="backoff"/> (±20%, so workers failing together do not retry together).</summary>
    private static async Task DelayAsync(TimeSpan backoff, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(backoff * (0.8 + (0.4 * Random.Shared.NextDouble())), stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static WorkerStartException Copy(WorkerStartException failure) =>
        new(failure.Message, failure.WorkerPath, failure.InnerException);
}
