using Grpc.Core;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// The <c>Worker</c> service of proto/worker.proto, served by the worker's <see cref="WorkerServer"/>;
/// the token was checked before (<see cref="TokenCheck"/>). Its method is virtual because gRPC's
/// binder looks for an override of the method the service declares (as generated services have).
/// </summary>
[BindServiceMethod(typeof(WorkerGrpcService), nameof(BindService))]
internal class WorkerGrpcService(WorkerServer server)
{
    public static void BindService(ServiceBinderBase binder, WorkerGrpcService? service) =>
        binder.AddMethod(GrpcProtocol.Serve, service is null ? null : new DuplexStreamingServerMethod<Frame, Frame>(service.Serve));

    public virtual Task Serve(IAsyncStreamReader<Frame> requests, IServerStreamWriter<Frame> responses, ServerCallContext context) =>
        server.ServeAsync(new GrpcServerStream(requests, responses), token: null, context.CancellationToken);
}
