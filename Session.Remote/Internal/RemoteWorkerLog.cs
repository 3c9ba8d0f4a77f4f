using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>The remote executor's log events. Event ids (from 200) are never reused.</summary>
internal static partial class RemoteWorkerLog
{
    [LoggerMessage(200, LogLevel.Information, "Remote worker {Endpoint} is ready.")]
    public static partial void WorkerReady(ILogger logger, string endpoint);

    [LoggerMessage(201, LogLevel.Warning, "Remote worker {Endpoint} was given up: {Reason}.")]
    public static partial void WorkerGivenUp(ILogger logger, string endpoint, string reason);

    [LoggerMessage(202, LogLevel.Information, "Remote worker {Endpoint} is draining: {Reason}.")]
    public static partial void WorkerDraining(ILogger logger, string endpoint, string reason);

    [LoggerMessage(203, LogLevel.Warning, "Remote worker {Endpoint} is not ready ({Reason}); trying again in {Delay}.")]
    public static partial void WorkerNotReady(ILogger logger, string endpoint, string reason, TimeSpan delay);

    [LoggerMessage(204, LogLevel.Warning, "The worker address {Target} could not be resolved: {Reason}.")]
    public static partial void ResolutionFailed(ILogger logger, string target, string reason);

    [LoggerMessage(205, LogLevel.Information, "The worker address {Target} now names {Count} worker(s).")]
    public static partial void Resolved(ILogger logger, string target, int count);
}
