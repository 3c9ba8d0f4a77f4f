namespace ProcessFutures;

/// <summary>
/// The worker process running a request died (it crashed, was killed, ran out of memory, or was
/// killed by the pool because a request on it overran its timeout). Only the requests that
/// worker was running fail with it; the pool replaces the worker. The request is not retried:
/// it may not be idempotent.
/// </summary>
public sealed class WorkerCrashedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, in a sentence or two.</param>
    /// <param name="processId">The worker's process id.</param>
    /// <param name="exitCode">Its exit code, when known (128 + N for a process ended by signal N).</param>
    /// <param name="innerException">What the client saw of the death, if anything.</param>
    public WorkerCrashedException(string message, int processId, int? exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ProcessId = processId;
        ExitCode = exitCode;
    }

    /// <summary>The worker's process id.</summary>
    public int ProcessId { get; }

    /// <summary>The worker's exit code, when known; 128 + N for a process ended by signal N (137: SIGKILL).</summary>
    public int? ExitCode { get; }
}
