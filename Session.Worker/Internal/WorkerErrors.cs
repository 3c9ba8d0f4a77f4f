using System.Net.Sockets;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>An exception thrown in a worker, as a <see cref="WorkerError"/>: enough to raise the same exception in the client, inner exceptions included.</summary>
internal static class WorkerErrors
{
    /// <summary>The longest message sent: a callback may throw any text, and one frame must stay small.</summary>
    internal const int MaxMessageLength = 16 * 1024;

    /// <summary>The longest stack trace (with inner exceptions) sent.</summary>
    internal const int MaxStackTraceLength = 32 * 1024;

    /// <summary>The most inner exceptions sent.</summary>
    internal const int MaxInner = 8;

    public static WorkerError From(ErrorKind kind, Exception exception)
    {
        string? stackTrace = exception.StackTrace;
        if (exception.InnerException is { } innermost)
        {
            stackTrace = $"{stackTrace}{Environment.NewLine}--- inner: {innermost}";
        }

        var error = new WorkerError
        {
            Kind = kind,
            TypeName = Truncate(exception.GetType().FullName ?? exception.GetType().Name, 1024, "type name"),
            Message = Truncate(exception.Message, MaxMessageLength, "message"),
            StackTrace = stackTrace is null ? string.Empty : Truncate(stackTrace, MaxStackTraceLength, "stack trace"),
            HttpRequestError = (int)HttpError(exception),
            StatusCode = exception is HttpRequestException { StatusCode: { } status } ? (int)status : 0,
            Recycle = exception is OutOfMemoryException or InsufficientExecutionStackException,
        };
        for (Exception? inner = exception.InnerException; inner is not null && error.Inner.Count < MaxInner; inner = inner.InnerException)
        {
            error.Inner.Add(new InnerError
            {
                TypeName = Truncate(inner.GetType().FullName ?? inner.GetType().Name, 1024, "type name"),
                Message = Truncate(inner.Message, MaxMessageLength, "message"),
                SocketError = inner is SocketException socket ? (int)socket.SocketErrorCode : 0,
                HttpRequestError = (int)HttpError(inner),
            });
        }

        return error;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, saying so at the end.</summary>
    internal static string Truncate(string text, int max, string what) =>
        text.Length <= max
            ? text
            : string.Concat(text.AsSpan(0, max), $"… (truncated by ProcessFutures: the {what} was {text.Length:N0} characters; the first {max:N0} are kept)");

    private static HttpRequestError HttpError(Exception exception) =>
        (exception as HttpRequestException)?.HttpRequestError ?? (exception as HttpIOException)?.HttpRequestError ?? 0;
}
