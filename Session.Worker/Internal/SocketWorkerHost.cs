using System.Runtime.CompilerServices;
using System.Net.Sockets;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A local worker on the socket transport (<see cref="FramedStream"/>): no web server, a listening
/// Unix socket, and one connection per slot of the pool. A connection whose first frame does not
/// carry the token, within <see cref="s_helloTimeout"/>, is closed unread. When a connection breaks,
/// what runs for it is cancelled, as a gRPC call's would be.
/// </summary>
internal static class SocketWorkerHost
{
    private static readonly TimeSpan s_helloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Listens, says it is ready, and serves until the process exits (its parent going away ends
    /// it: <see cref="ParentWatcher"/>). A listener that fails ends the worker (exit code 1, the
    /// reason on stderr), so that the pool replaces it rather than connect to a socket nobody accepts on.
    /// </summary>
    public static int Run(string socketPath, string token)
    {
        var service = new WorkerService(new RequestRunner(new HttpClientCache(), new CallbackRegistry()), new WorkerLifetime());
        var expected = new TokenCheck(token);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(128);
        Task accepting = AcceptAsync(listener, service, expected);

        Console.Out.WriteLine(WorkerEnvironment.ReadyLine);
        Console.Out.Flush();
        try
        {
            accepting.GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            Console.Error.WriteLine($"The worker's socket stopped accepting connections: {exception.Message}");
            return 1;
        }
    }

    private static async Task AcceptAsync(Socket listener, WorkerService service, TokenCheck token)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionAborted or SocketError.Interrupted)
            {
                continue;
            }

            _ = Task.Run(() => ServeAsync(connection, service, token));
        }
    }

    private static async Task ServeAsync(Socket connection, WorkerService service, TokenCheck token)
    {
        using var broken = new CancellationTokenSource();
        var stream = new NetworkStream(connection, ownsSocket: true);
        await using ConfiguredAsyncDisposable disposeStream = stream.ConfigureAwait(false);
        var requests = new FrameReader<ClientFrame>(stream, ClientFrame.Parser, WireLimits.MaxMessage, broken) { MaxMessage = FramedStream.MaxHelloMessage };
        try
        {
            using (var hello = new CancellationTokenSource(s_helloTimeout))
            {
                if (!await requests.MoveNext(hello.Token).ConfigureAwait(false)
                    || !token.Accepts(requests.Current.Token))
                {
                    return;
                }
            }

            requests.MaxMessage = WireLimits.MaxMessage;
            await service.ServeAsync(requests, new FrameWriter<WorkerFrame>(stream), broken.Token).ConfigureAwait(false);
            await FramedStream.WriteEndAsync(stream).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or InvalidDataException or SocketException)
        {
            // The client went away, or broke the framing: this connection ends, the worker serves on.
        }
    }
}
