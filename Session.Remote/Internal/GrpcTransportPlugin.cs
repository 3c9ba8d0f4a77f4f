using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>What this package adds to a local pool and a worker process; ProcessFutures finds it by name (<see cref="TransportPlugin.TypeName"/>).</summary>
internal sealed class GrpcTransportPlugin : TransportPlugin
{
    public override WorkerConnector ConnectLocal(string socketPath, string token) => new GrpcConnector(UnixSocketChannel.Create(socketPath), token);

    public override int RunLocalWorker(string socketPath, string token, WorkerServer server) => LocalGrpcWorkerHost.Run(socketPath, token, server);

    public override int RunRemoteWorker(string[] args) => RemoteWorkerHost.Run(args);
}
