using System.Net.Sockets;
using Grpc.Net.Client;
using ProcessFutures.Protocol;
using ProcessFutures.Internal;

namespace Session.Tests.Infrastructure;

/// <summary>Straight to a worker's Unix socket, for tests that talk to a worker the way an intruder or a broken client would.</summary>
internal static class WorkerSockets
{
    /// <summary>A gRPC channel (a worker on <c>WorkerTransport.Grpc</c>).</summary>
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

    /// <summary>
    /// One framed exchange on the socket transport: the token's frame (when <paramref name="token"/>
    /// is not null), <paramref name="frame"/>, the end mark; then every frame of the answer up to the
    /// worker's end mark. Throws <see cref="IOException"/> when the worker closes the connection
    /// without its end mark (it refused the connection).
    /// </summary>
    public static async Task<WorkerFrame[]> FramedCallAsync(string socketPath, string? token, ClientFrame frame)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).Within();
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        if (token is not null)
        {
            await FramedStream.WriteAsync(stream, new ClientFrame { Token = token }).Within();
        }

        await FramedStream.WriteAsync(stream, frame).Within();
        await FramedStream.WriteEndAsync(stream).Within();
        var replies = new FrameReader<WorkerFrame>(stream, WorkerFrame.Parser, int.MaxValue);
        var frames = new List<WorkerFrame>();
        while (await replies.MoveNext(CancellationToken.None).Within())
        {
            frames.Add(replies.Current);
        }

        return [.. frames];
    }
}
