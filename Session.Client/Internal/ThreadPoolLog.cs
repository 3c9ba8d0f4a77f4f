using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>The thread pool executor's log events: its lifecycle only, nothing per request. Event ids (from 100) are never reused.</summary>
internal static partial class ThreadPoolLog
{
    [LoggerMessage(100, LogLevel.Debug, "ThreadPoolExecutor started: {MaxWorkers} requests at once.")]
    public static partial void Started(ILogger logger, int maxWorkers);

    [LoggerMessage(101, LogLevel.Debug, "ThreadPoolExecutor stopped.")]
    public static partial void Stopped(ILogger logger);
}
