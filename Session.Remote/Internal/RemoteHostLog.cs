using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>A remote worker's own log events (its console, by default). Event ids (from 500) are never reused.</summary>
internal static partial class RemoteHostLog
{
    [LoggerMessage(500, LogLevel.Warning, "A call from {Address} did not carry the worker's token; it was refused.")]
    public static partial void TokenRefused(ILogger logger, string address);

    [LoggerMessage(501, LogLevel.Warning, "A call from {Address} presented no client certificate; it was refused.")]
    public static partial void NoClientCertificate(ILogger logger, string address);

    [LoggerMessage(502, LogLevel.Information, "Draining: told to stop; /healthz answers 503, running requests finish (at most {Seconds} s).")]
    public static partial void DrainStarted(ILogger logger, int seconds);

    [LoggerMessage(503, LogLevel.Information, "Drained: stopping now.")]
    public static partial void DrainEnded(ILogger logger);

    [LoggerMessage(504, LogLevel.Information, "Serving remote clients on {Address}.")]
    public static partial void Listening(ILogger logger, string address);
}
