using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>Workers leaving (recycled, dead) and the pool's own end.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>A retiring worker finishes what it runs, however long (each request has its own timeout), then exits.</summary>
    private async Task DrainAsync(LocalWorker worker)
    {
        try
        {
            await worker.StopAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        }
        finally
        {
            _core.WorkerState(Draining, -1);
        }
    }

    private void Leave(LocalWorker worker, Task stopped)
    {
        _leaving[worker] = stopped;
        _ = stopped.ContinueWith(
            static (_, state) =>
            {
                var (pool, leaving) = ((ProcessPoolExecutor, LocalWorker))state!;
                pool._leaving.TryRemove(leaving, out Task? _);
            },
            (this, worker),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The pool's part of its disposal (the core has cancelled what was queued).</summary>
    private async Task StopWorkersAsync()
    {
        try
        {
            // Each supervisor stops its own worker, giving running requests the grace period.
            await Task.WhenAll(_supervisors).ConfigureAwait(false);

            // Workers leaving after recycling or death get the same grace, then are killed.
            // ToArray, not a spread ([.. _leaving]): a spread sizes its array by the count, then
            // copies, and a worker that finishes leaving in between leaves a default entry (a null
            // task) that Task.WhenAll refuses. The bench met it once, disposing a recycling pool.
            KeyValuePair<LocalWorker, Task>[] leaving = _leaving.ToArray();
            Task all = Task.WhenAll(leaving.Select(pair => pair.Value));
            try
            {
                await all.WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                foreach (KeyValuePair<LocalWorker, Task> pair in leaving)
                {
                    pair.Key.Kill("the pool is shutting down and the grace period elapsed", WorkerExitReason.Shutdown);
                }
            }

            await all.ConfigureAwait(false);
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
