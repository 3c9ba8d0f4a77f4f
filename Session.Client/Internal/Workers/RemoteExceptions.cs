using System.Collections.Frozen;
using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.Serialization;
using System.Security.Authentication;
using System.Text.Json;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Re-creates, in the client, the exception a worker reported: the same type for transport
/// errors, timeouts and common BCL exceptions, a <see cref="CallbackException"/> otherwise;
/// always with the worker's stack trace attached (it shows in StackTrace and ToString).
/// </summary>
internal static class RemoteExceptions
{
    /// <summary>The key of an inner exception's <see cref="Exception.Data"/> that names the type it had in the worker.</summary>
    public const string OriginalTypeKey = "ProcessFutures.OriginalType";

    private static readonly FrozenDictionary<string, Func<string, Exception>> s_common = new Dictionary<string, Func<string, Exception>>
    {
        ["System.Exception"] = m => new Exception(m),
        ["System.InvalidOperationException"] = m => new InvalidOperationException(m),
        ["System.ArgumentException"] = m => new ArgumentException(m),
        ["System.ArgumentNullException"] = m => new ArgumentNullException(m, (Exception?)null),
        ["System.ArgumentOutOfRangeException"] = m => new ArgumentOutOfRangeException(m, (Exception?)null),
        ["System.FormatException"] = m => new FormatException(m),
        ["System.NotSupportedException"] = m => new NotSupportedException(m),
        ["System.NotImplementedException"] = m => new NotImplementedException(m),
        ["System.Collections.Generic.KeyNotFoundException"] = m => new KeyNotFoundException(m),
        ["System.IndexOutOfRangeException"] = m => new IndexOutOfRangeException(m),
        ["System.NullReferenceException"] = m => new NullReferenceException(m),
        ["System.DivideByZeroException"] = m => new DivideByZeroException(m),
        ["System.OverflowException"] = m => new OverflowException(m),
        ["System.InvalidCastException"] = m => new InvalidCastException(m),
        ["System.TimeoutException"] = m => new TimeoutException(m),
        ["System.UnauthorizedAccessException"] = m => new UnauthorizedAccessException(m),
        ["System.IO.IOException"] = m => new IOException(m),
        ["System.IO.InvalidDataException"] = m => new InvalidDataException(m),
        ["System.IO.FileNotFoundException"] = m => new FileNotFoundException(m),
        ["System.IO.DirectoryNotFoundException"] = m => new DirectoryNotFoundException(m),
        ["System.Net.Http.HttpRequestException"] = m => new HttpRequestException(m),
        ["System.Text.Json.JsonException"] = m => new JsonException(m),
        ["System.Runtime.Serialization.SerializationException"] = m => new SerializationException(m),
        ["System.OutOfMemoryException"] = m => new OutOfMemoryException(m),
        ["System.InsufficientExecutionStackException"] = m => new InsufficientExecutionStackException(m),
        ["System.IO.EndOfStreamException"] = m => new EndOfStreamException(m),
        ["System.IO.PathTooLongException"] = m => new PathTooLongException(m),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The exception to raise here for <paramref name="error"/>; a timeout names <paramref name="timeout"/>, the request's own (the worker only knew what was left of it).</summary>
    public static Exception Create(WorkerError error, CallbackReference? callback, int processId, TimeSpan? timeout = null)
    {
        Exception? inner = Inner(error.Inner, 0);
        Exception exception = error.Kind switch
        {
            // Whichever side threw it (the exchange, or a callback's EnsureSuccessStatusCode), keep what HttpClient users match on.
            _ when error.TypeName == typeof(HttpIOException).FullName => new HttpIOException((HttpRequestError)error.HttpRequestError, error.Message, inner),
            _ when error.TypeName == typeof(HttpRequestException).FullName => new HttpRequestException(
                (HttpRequestError)error.HttpRequestError,
                error.Message,
                inner,
                error.StatusCode != 0 ? (HttpStatusCode)error.StatusCode : null),
            ErrorKind.Transport when !s_common.ContainsKey(error.TypeName) => new HttpRequestException(
                HttpRequestError.Unknown, $"{error.Message} ({error.TypeName}, in worker process {processId})", inner),
            ErrorKind.Timeout when timeout is { } configured && error.TypeName == typeof(TaskCanceledException).FullName && inner is TimeoutException => RequestDeadline.TimeoutException(configured),
            ErrorKind.Timeout => new TaskCanceledException(error.Message, new TimeoutException(error.Message, inner is TimeoutException ? inner.InnerException : inner)),
            ErrorKind.Canceled => new OperationCanceledException(error.Message),
            ErrorKind.Serialization => new SerializationException(
                $"The result of callback '{callback?.DisplayName}' could not be serialized in worker process {processId}: {error.Message}"),
            ErrorKind.Rejected when callback is not null => new SerializationException(
                $"Worker process {processId} could not load the callback '{callback.DisplayName}': {error.Message}; {CallbackInspector.ReadmeSection}."),
            ErrorKind.Rejected => new InvalidOperationException($"Worker process {processId} refused the request: {error.Message}"),
            _ => s_common.TryGetValue(error.TypeName, out Func<string, Exception>? create)
                ? create(error.Message)
                : new CallbackException(error.Message, error.TypeName, processId),
        };

        if (!string.IsNullOrEmpty(error.StackTrace))
        {
            ExceptionDispatchInfo.SetRemoteStackTrace(exception, $"{error.StackTrace}{Environment.NewLine}--- (in worker process {processId}, as {error.TypeName}) ---{Environment.NewLine}");
        }

        return exception;
    }

    /// <summary>The inner exceptions, outermost first, re-created as the types HttpClient raises (others as <see cref="Exception"/>, with the original's message).</summary>
    private static Exception? Inner(IReadOnlyList<InnerError> chain, int at)
    {
        if (at >= chain.Count)
        {
            return null;
        }

        InnerError error = chain[at];
        Exception? inner = Inner(chain, at + 1);
        Exception exception = error.TypeName switch
        {
            "System.Net.Sockets.SocketException" when error.SocketError != 0 => new SocketException(error.SocketError, error.Message),
            "System.Security.Authentication.AuthenticationException" => new AuthenticationException(error.Message, inner),
            "System.Net.Http.HttpIOException" => new HttpIOException((HttpRequestError)error.HttpRequestError, error.Message, inner),
            "System.Net.Http.HttpRequestException" => new HttpRequestException((HttpRequestError)error.HttpRequestError, error.Message, inner),
            "System.IO.IOException" => new IOException(error.Message, inner),
            "System.TimeoutException" => new TimeoutException(error.Message, inner),
            "System.Threading.Tasks.TaskCanceledException" => new TaskCanceledException(error.Message, inner),
            "System.OperationCanceledException" => new OperationCanceledException(error.Message, inner),
            "System.ComponentModel.Win32Exception" => new Win32Exception(error.Message, inner),
            _ => new Exception(error.Message, inner),
        };
        exception.Data[OriginalTypeKey] = error.TypeName;
        return exception;
    }
}
