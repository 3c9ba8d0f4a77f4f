using Grpc.Core;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>A slot's stream on the worker's side of a gRPC call.</summary>
internal sealed class GrpcServerStream(IAsyncStreamReader<Frame> requests, IServerStreamWriter<Frame> responses) : MessageStream
{
    public override async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        // Not a conditional expression: null there would become an empty ReadOnlyMemory (through byte[]), not the end.
        if (!await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return requests.Current.Bytes;
    }

    // The message is serialized into the response before the write completes.
    public override async ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken) =>
        await responses.WriteAsync(new Frame(frame[HeaderRoom..]), cancellationToken).ConfigureAwait(false);

    // The response ends when the call's handler returns.
    public override ValueTask CompleteAsync() => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
