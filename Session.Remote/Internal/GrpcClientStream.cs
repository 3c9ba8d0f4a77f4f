using System.Net.Sockets;
using Grpc.Core;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>A slot's stream as a gRPC call (a remote worker, or a local one on <see cref="WorkerTransport.Grpc"/>); its failures in the terms every transport shares.</summary>
internal sealed class GrpcClientStream(AsyncDuplexStreamingCall<Frame, Frame> call) : MessageStream
{
    public override async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Not a conditional expression: null there would become an empty ReadOnlyMemory (through byte[]), not the end.
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return call.ResponseStream.Current.Bytes;
        }
        catch (RpcException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(exception);
        }
    }

    public override async ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            // The message is serialized into the call before this write completes: the frame's
            // buffer is the caller's again afterwards.
            await call.RequestStream.WriteAsync(new Frame(frame[HeaderRoom..]), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException exception)
        {
            throw Translate(exception);
        }
        catch (InvalidOperationException exception)
        {
            // The call already ended (its response stream completed, or it was cancelled).
            throw new WorkerTransportException(TransportFailure.Broken, exception.Message, exception);
        }
    }

    public override async ValueTask CompleteAsync()
    {
        try
        {
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (RpcException exception)
        {
            throw Translate(exception);
        }
    }

    public override ValueTask DisposeAsync()
    {
        call.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A gRPC status as one of the failures every transport shares.</summary>
    public static WorkerTransportException Translate(RpcException exception)
    {
        TransportFailure failure = exception.StatusCode switch
        {
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => TransportFailure.Unauthenticated,
            StatusCode.ResourceExhausted => TransportFailure.TooLarge,
            _ when IsRefused(exception) => TransportFailure.Refused,
            _ => TransportFailure.Broken,
        };
        return new WorkerTransportException(failure, $"{exception.Status.StatusCode}: {exception.Status.Detail}", exception.Status.DebugException ?? exception);
    }

    private static bool IsRefused(RpcException exception)
    {
        for (Exception? e = exception.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable }
                || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}
