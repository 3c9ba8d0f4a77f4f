namespace ProcessFutures;

/// <summary>
/// No worker process could be started: the worker file is missing or broken, it exited before it
/// was ready, or it was not ready within <see cref="ProcessPoolOptions.WorkerStartTimeout"/>.
/// Requests fail with it only while no worker runs at all; the pool keeps retrying, backing off,
/// and recovers once a worker starts. When no worker can ever start in this process (a
/// self-contained or single-file app without <see cref="ProcessPoolExecutor.RunWorkerIfRequested"/>),
/// the pool does not retry: every request fails with it at once.
/// </summary>
public sealed class WorkerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was tried and what happened.</param>
    /// <param name="workerPath">The worker file that was started.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public WorkerStartException(string message, string workerPath, Exception? innerException = null)
        : base(message, innerException)
    {
        WorkerPath = workerPath;
    }

    /// <summary>The worker file that was started.</summary>
    public string WorkerPath { get; }

    /// <summary>No start can succeed in this process (see <see cref="Internal.WorkerCommand.Problem"/>): the pool does not retry.</summary>
    internal bool IsPermanent { get; init; }
}
