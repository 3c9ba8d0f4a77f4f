using Grpc.Core;
using Grpc.Net.Client;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>A worker's slots as gRPC calls on the worker's one channel, each with the token in its headers.</summary>
internal sealed class GrpcConnector(GrpcChannel channel, string token) : WorkerConnector
{
    private readonly CallInvoker _invoker = channel.CreateCallInvoker();
    private readonly Metadata _headers = new() { { GrpcProtocol.TokenHeader, token } };

    public override ValueTask<MessageStream> ConnectAsync(CancellationToken dead) =>
        ValueTask.FromResult<MessageStream>(new GrpcClientStream(_invoker.AsyncDuplexStreamingCall(GrpcProtocol.Serve, host: null, new CallOptions(_headers, cancellationToken: dead))));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            channel.Dispose();
        }

        base.Dispose(disposing);
    }
}
