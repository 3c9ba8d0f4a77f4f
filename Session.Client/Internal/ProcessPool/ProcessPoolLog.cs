using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>The process pool's log events. Event ids are never reused. Every worker's end is logged once: 2, 5 or 7.</summary>
internal static partial class ProcessPoolLog
{
    [LoggerMessage(1, LogLevel.Information, "Worker {ProcessId} ready in {ElapsedMilliseconds:F0} ms.")]
    public static partial void WorkerStarted(ILogger logger, int processId, double elapsedMilliseconds);

    [LoggerMessage(2, LogLevel.Warning, "Worker {ProcessId} {How} {When}, not by the pool; {InFlight} request(s) on it failed. It printed: {Output}")]
    public static partial void WorkerDied(ILogger logger, int processId, string how, string when, int inFlight, string output);

    [LoggerMessage(3, LogLevel.Error, "A worker could not start; retrying in {Delay}.")]
    public static partial void WorkerStartFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Recycling worker {ProcessId}: {Reason}.")]
    public static partial void WorkerRecycling(ILogger logger, int processId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Worker {ProcessId} {How}: the pool killed it because {Reason}.")]
    public static partial void WorkerKilled(ILogger logger, int processId, string how, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Worker {ProcessId}: {Line}")]
    public static partial void WorkerOutput(ILogger logger, int processId, string line);

    [LoggerMessage(7, LogLevel.Debug, "Worker {ProcessId} stopped.")]
    public static partial void WorkerStopped(ILogger logger, int processId);

    [LoggerMessage(8, LogLevel.Information, "Workers start as '{Command}' ({HowFound}).")]
    public static partial void WorkerCommandChosen(ILogger logger, string command, string howFound);

    [LoggerMessage(9, LogLevel.Error, "No worker can start in this process, so the pool will not try; every request fails with: {Problem}")]
    public static partial void WorkersCannotStart(ILogger logger, string problem);
}
