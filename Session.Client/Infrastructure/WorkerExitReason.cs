using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>Infrastructure (see <see cref="MessageStream"/>): why a worker ended, as the <c>processfutures.worker.exit_reason</c> attribute says it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum WorkerExitReason
{
    /// <summary>It died by itself, or was killed from outside (a crash, the OOM killer, a person).</summary>
    Crash,

    /// <summary>Recycled after MaxTasksPerWorker requests.</summary>
    RecycleTasks,

    /// <summary>Recycled for its memory (MaxWorkerMemoryBytes, or a request that ran out of heap).</summary>
    RecycleMemory,

    /// <summary>Killed by the pool: a request on it overran its timeout, or did not end after a cancellation.</summary>
    Timeout,

    /// <summary>Stopped because the pool was disposed.</summary>
    Shutdown,
}
