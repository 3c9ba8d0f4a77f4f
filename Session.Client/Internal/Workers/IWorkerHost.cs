using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>What a worker sees of its pool: where work waits, the settings, and where to give back work that never reached it.</summary>
internal interface IWorkerHost
{
    WorkQueue Queue { get; }

    ILogger Logger { get; }

    /// <summary>Whether the pool is shutting down (a dead worker is then not replaced).</summary>
    bool IsShuttingDown { get; }

    /// <summary>
    /// Puts back, first in line, work that never reached a worker (its socket refused the
    /// connection, or it was draining); work the queue no longer takes (shutting down) ends Canceled.
    /// The same for every host: the queue is all it needs.
    /// </summary>
    void Requeue(PendingWork work)
    {
        if (work.ReturnToQueue() && !Queue.TryEnqueue(work, front: true))
        {
            work.CancelQueued(CancellationToken.None);
        }
    }

    /// <summary>Counts payload bytes received from workers, where a host keeps that count (the pool, for its tests); others ignore it.</summary>
    void CountFromWorkers(int bytes)
    {
    }

    /// <summary>A worker's process ended, for this reason.</summary>
    void WorkerExited(WorkerExitReason reason);
}
