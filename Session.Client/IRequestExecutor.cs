using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// Runs the requests of one or more <see cref="FuturesSession"/>s: the counterpart of the
/// <c>executor=</c> of requests-futures. This library's executors are
/// <see cref="ThreadPoolExecutor"/> and <see cref="ProcessPoolExecutor"/>; they are
/// interchangeable without changing call sites. The interface is implemented only here.
/// </summary>
public interface IRequestExecutor : IAsyncDisposable
{
    /// <summary>How many requests run at once, at most (for a process pool: how many worker processes).</summary>
    int MaxWorkers { get; }

    /// <summary>Refuses, at construction, a session this executor cannot serve.</summary>
    internal void Validate(SessionContext session);

    /// <summary>
    /// Checks, synchronously and before anything is queued, that <paramref name="callback"/>
    /// (a <c>Func&lt;Response, T&gt;</c> or a <c>Func&lt;Response, CancellationToken, Task&lt;T&gt;&gt;</c>)
    /// can run where this executor runs callbacks; returns how to name it there (null: it runs in
    /// this process as it is).
    /// </summary>
    internal CallbackReference? PrepareCallback(Delegate callback);

    /// <summary>Queues the work. Throws <see cref="ObjectDisposedException"/> after disposal.</summary>
    internal void Submit(PendingWork work);

    /// <summary>The executor's metrics and its requests' spans.</summary>
    internal ExecutorTelemetry Telemetry { get; }
}
