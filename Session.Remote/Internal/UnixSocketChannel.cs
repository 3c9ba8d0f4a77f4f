using System.Net.Sockets;
using Grpc.Net.Client;

namespace ProcessFutures.Internal;

/// <summary>The one gRPC channel to a worker: HTTP/2 over its Unix socket, with a window sized for a local socket.</summary>
internal static class UnixSocketChannel
{
    public static GrpcChannel Create(string socketPath) => GrpcChannel.ForAddress("http://processfutures-worker", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,

            // Over a Unix socket the round trip is tiny, so the default 64 KiB window (grown by
            // round-trip estimates) would make a large body wait for window updates. It is also
            // what bounds a streamed body in flight: a reader that stops reading lets at most this
            // much pile up in this process before the worker's writes wait.
            InitialHttp2StreamWindowSize = StreamWindow,
        },
        DisposeHttpClient = true,
    });

    /// <summary>The HTTP/2 stream window: the most of one answer in flight from a worker to this process.</summary>
    public const int StreamWindow = 4 * 1024 * 1024;
}
