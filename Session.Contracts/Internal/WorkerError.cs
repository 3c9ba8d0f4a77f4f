using System.Net.Sockets;
using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>An exception thrown in a worker, as data: enough to raise the same kind of exception in the client.</summary>
internal sealed class WorkerError : IWireMessage<WorkerError>
{
    /// <summary>The longest message sent: a callback may throw any text, and one frame must stay small.</summary>
    internal const int MaxMessageLength = 16 * 1024;

    /// <summary>The longest stack trace (with inner exceptions) sent.</summary>
    internal const int MaxStackTraceLength = 32 * 1024;

    private const int FieldCount = 8;

    public required WorkerErrorKind Kind { get; init; }

    /// <summary>The full name of the exception's type, such as System.InvalidOperationException.</summary>
    public required string TypeName { get; init; }

    public required string Message { get; init; }

    /// <summary>The stack trace, and the inner exceptions' text, as the worker saw them.</summary>
    public string? StackTrace { get; init; }

    /// <summary>For transport errors, the <see cref="HttpRequestError"/>.</summary>
    public int HttpRequestError { get; init; }

    /// <summary>For HTTP errors that have one, the status code; 0 otherwise.</summary>
    public int StatusCode { get; init; }

    /// <summary>For transport errors caused by a socket error, its <see cref="SocketError"/>; 0 otherwise.</summary>
    public int SocketError { get; init; }

    /// <summary>The worker should be replaced once its requests end (it ran out of memory).</summary>
    public bool Recycle { get; init; }

    public static WorkerError From(WorkerErrorKind kind, Exception exception)
    {
        string? stackTrace = exception.StackTrace;
        if (exception.InnerException is { } inner)
        {
            stackTrace = $"{stackTrace}{Environment.NewLine}--- inner: {inner}";
        }

        HttpRequestException? http = exception as HttpRequestException;
        HttpRequestError httpError = http?.HttpRequestError ?? (exception as HttpIOException)?.HttpRequestError ?? 0;
        return new WorkerError
        {
            Kind = kind,
            TypeName = Truncate(exception.GetType().FullName ?? exception.GetType().Name, 1024, "type name"),
            Message = Truncate(exception.Message, MaxMessageLength, "message"),
            StackTrace = stackTrace is null ? null : Truncate(stackTrace, MaxStackTraceLength, "stack trace"),
            HttpRequestError = (int)httpError,
            StatusCode = http?.StatusCode is { } status ? (int)status : 0,
            SocketError = exception.InnerException is SocketException socket ? (int)socket.SocketErrorCode : 0,
            Recycle = exception is OutOfMemoryException or InsufficientExecutionStackException,
        };
    }

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write((int)Kind);
        writer.Write(TypeName);
        writer.Write(Message);
        writer.Write(StackTrace);
        writer.Write(HttpRequestError);
        writer.Write(StatusCode);
        writer.Write(SocketError);
        writer.Write(Recycle);
    }

    public static WorkerError Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "worker error");
        var error = new WorkerError
        {
            Kind = (WorkerErrorKind)reader.ReadInt32(),
            TypeName = reader.ReadString() ?? "System.Exception",
            Message = reader.ReadString() ?? string.Empty,
            StackTrace = reader.ReadString(),
            HttpRequestError = reader.ReadInt32(),
            StatusCode = reader.ReadInt32(),
            SocketError = reader.ReadInt32(),
            Recycle = reader.ReadBoolean(),
        };
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return error;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, saying so at the end.</summary>
    internal static string Truncate(string text, int max, string what) =>
        text.Length <= max
            ? text
            : string.Concat(text.AsSpan(0, max), $"… (truncated by ProcessFutures: the {what} was {text.Length:N0} characters; the first {max:N0} are kept)");
}
