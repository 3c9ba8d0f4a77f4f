using System.ComponentModel;
using ProcessFutures.Infrastructure;

namespace ProcessFutures;

/// <summary>
/// Runs the requests of one or more <see cref="FuturesSession"/>s: the counterpart of the
/// <c>executor=</c> of requests-futures. This library's executors are
/// <see cref="ThreadPoolExecutor"/>, <see cref="ProcessPoolExecutor"/> and ProcessFutures.Remote's
/// <c>RemoteWorkerExecutor</c>; they are interchangeable without changing call sites.
/// </summary>
public interface IRequestExecutor : IAsyncDisposable
{
    /// <summary>How many requests run at once, at most (for a process pool: how many worker processes).</summary>
    int MaxWorkers { get; }

    /// <summary>Infrastructure: the queue, submission and telemetry every executor is made of (see <see cref="ExecutorCore"/>). Not for applications.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    ExecutorCore Core { get; }
}
