using Grpc.Core;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>A slot's stream as a gRPC call on the worker's channel (remote workers; the local pool with <see cref="WorkerTransport.Grpc"/>).</summary>
internal sealed class GrpcSlotStream(AsyncDuplexStreamingCall<ClientFrame, WorkerFrame> call) : SlotStream
{
    public override IAsyncStreamReader<WorkerFrame> Replies => call.ResponseStream;

    public override void Dispose()
    {
        call.Dispose();
        base.Dispose();
    }

    protected override Task WriteFrameAsync(ClientFrame frame) => call.RequestStream.WriteAsync(frame);

    protected override Task CompleteWritesAsync() => call.RequestStream.CompleteAsync();
}
