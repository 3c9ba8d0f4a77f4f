using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>Workers leaving (recycled, dead) and the pool's own end.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>A retiring worker finishes what it runs, however long (each request has its own timeout), then exits.</summary>
    private async Task DrainAsync(WorkerProcess worker)
    {
        try
        {
            await worker.StopAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        }
        finally
        {
            _telemetry.WorkerState(Draining, -1);
        }
    }

    private void Leave(WorkerProcess worker, Task stopped)
    {
        _leaving[worker] = stopped;
        _ = stopped.ContinueWith(
            static (_, state) =>
            {
                var (pool, leaving) = ((ProcessPoolExecutor, WorkerProcess))state!;
                pool._leaving.TryRemove(leaving, out Task? _);
            },
            (this, worker),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ShutDownAsync()
    {
        _stopping.Cancel();
        foreach (PendingWork work in _queue.Drain(complete: true))
        {
            work.CancelQueued(_stopping.Token);
        }

        try
        {
            // Each supervisor stops its own worker, giving running requests the grace period.
            await Task.WhenAll(_supervisors).ConfigureAwait(false);

            // Workers leaving after recycling or death get the same grace, then are killed.
            KeyValuePair<WorkerProcess, Task>[] leaving = [.. _leaving];
            Task all = Task.WhenAll(leaving.Select(pair => pair.Value));
            try
            {
                await all.WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                foreach (KeyValuePair<WorkerProcess, Task> pair in leaving)
                {
                    pair.Key.Kill("the pool is shutting down and the grace period elapsed", WorkerExitReason.Shutdown);
                }
            }

            await all.ConfigureAwait(false);
        }
        finally
        {
            _directory.Dispose();
            _stopping.Dispose();
            _telemetry.Dispose();
        }
    }
}
