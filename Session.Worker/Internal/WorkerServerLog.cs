using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>A worker's log events (a remote worker's console; a local worker logs nothing here). Event ids (from 300) are never reused.</summary>
internal static partial class WorkerServerLog
{
    [LoggerMessage(300, LogLevel.Warning, "A stream did not begin with a hello carrying the token; it was closed unread.")]
    public static partial void TokenRefused(ILogger logger);

    [LoggerMessage(301, LogLevel.Warning, "A request was refused (callback {Callback}): {Reason}")]
    public static partial void RequestRefused(ILogger logger, string callback, string reason);

    [LoggerMessage(302, LogLevel.Warning, "A stream broke the protocol and was ended: {Reason}")]
    public static partial void BrokeProtocol(ILogger logger, string reason);

    [LoggerMessage(303, LogLevel.Information, "A client went away while its request (call {CallId}) ran; the request was cancelled.")]
    public static partial void ClientGone(ILogger logger, long callId);
}
