using Microsoft.Extensions.Logging;

namespace Session.Client.Internal;

/// <summary>The process pool's log events. Event ids are never reused.</summary>
internal static partial class ProcessPoolLog
{
    [LoggerMessage(1, LogLevel.Information, "Worker {ProcessId} ready in {ElapsedMilliseconds:F0} ms.")]
    public static partial void WorkerStarted(ILogger logger, int processId, double elapsedMilliseconds);

    [LoggerMessage(2, LogLevel.Warning, "Worker {ProcessId} exited with code {ExitCode} while serving; {InFlight} request(s) on it failed. {Reason}")]
    public static partial void WorkerDied(ILogger logger, int processId, int? exitCode, int inFlight, string reason);

    [LoggerMessage(3, LogLevel.Error, "A worker could not start; retrying in {Delay}.")]
    public static partial void WorkerStartFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Recycling worker {ProcessId}: {Reason}.")]
    public static partial void WorkerRecycling(ILogger logger, int processId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Killing worker {ProcessId}: {Reason}.")]
    public static partial void WorkerKilled(ILogger logger, int processId, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Worker {ProcessId}: {Line}")]
    public static partial void WorkerOutput(ILogger logger, int processId, string line);

    [LoggerMessage(7, LogLevel.Debug, "Worker {ProcessId} stopped.")]
    public static partial void WorkerStopped(ILogger logger, int processId);
}
