using System.Net.Sockets;
using Grpc.Net.Client;

namespace Session.Tests.Infrastructure;

/// <summary>A gRPC channel straight to a worker's Unix socket, for tests that talk to a worker the way an intruder or a broken client would.</summary>
internal static class WorkerSockets
{
    public static GrpcChannel Channel(string socketPath) => GrpcChannel.ForAddress("http://worker", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        },
        MaxSendMessageSize = null,
    });
}
