using System.Net.Sockets;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// A local worker on the socket transport (<see cref="SocketMessageStream"/>): no web server, a
/// listening Unix socket in the pool's 0700 directory, and one connection per slot of the pool.
/// Nothing a peer does ends it: a connection that does not say hello with the token within
/// <see cref="WorkerServer.HelloTimeout"/> is closed unread; at most <see cref="MaxUnauthenticated"/>
/// connections may wait to do so (a new one closes the oldest); and when the process is out of file
/// descriptors, accepting pauses and resumes rather than failing.
/// </summary>
internal static class SocketWorkerHost
{
    /// <summary>The most connections that have not yet shown the token.</summary>
    public const int MaxUnauthenticated = 64;

    private static readonly TimeSpan s_firstPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_maxPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Listens, says it is ready, and serves until the process exits (its parent going away ends
    /// it: <see cref="ParentWatcher"/>). A listener that cannot be made ends the worker (exit code
    /// 1, the reason on stderr), so that the pool replaces it.
    /// </summary>
    public static int Run(string socketPath, string token, WorkerServer server)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(128);
        }
        catch (SocketException exception)
        {
            Console.Error.WriteLine($"The worker could not listen on '{socketPath}': {exception.Message}");
            return 1;
        }

        Console.Out.WriteLine(WorkerEnvironment.ReadyLine);
        Console.Out.Flush();
        AcceptAsync(listener, server, token).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task AcceptAsync(Socket listener, WorkerServer server, string token)
    {
        var waiting = new LinkedList<Socket>();
        var waitingLock = new Lock();
        TimeSpan pause = s_firstPause;
        bool told = false;
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync().ConfigureAwait(false);
                pause = s_firstPause;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionAborted or SocketError.Interrupted)
            {
                continue;
            }
            catch (SocketException exception)
            {
                // Out of file descriptors (EMFILE, ENFILE), or another passing failure: the
                // connections being served finish, and accepting resumes. Said once.
                if (!told)
                {
                    told = true;
                    Console.Error.WriteLine($"The worker could not accept a connection ({exception.Message}); it keeps serving and tries again.");
                }

                await Task.Delay(pause).ConfigureAwait(false);
                pause = pause * 2 < s_maxPause ? pause * 2 : s_maxPause;
                continue;
            }

            LinkedListNode<Socket> node;
            Socket? oldest = null;
            lock (waitingLock)
            {
                node = waiting.AddLast(connection);
                if (waiting.Count > MaxUnauthenticated)
                {
                    oldest = waiting.First!.Value;
                    waiting.RemoveFirst();
                }
            }

            oldest?.Dispose();
            _ = Task.Run(() => ServeAsync(connection, server, token, () =>
            {
                lock (waitingLock)
                {
                    if (node.List is not null)
                    {
                        waiting.Remove(node);
                    }
                }
            }));
        }
    }

    private static async Task ServeAsync(Socket connection, WorkerServer server, string token, Action leftWaiting)
    {
        var stream = new AuthenticatingStream(connection, leftWaiting);
        try
        {
            await server.ServeAsync(stream, token, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            leftWaiting();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A connection's stream that leaves the waiting list once its hello is accepted.</summary>
    private sealed class AuthenticatingStream(Socket connection, Action leftWaiting) : MessageStream
    {
        private readonly SocketMessageStream _inner = new(connection, acceptsHello: true);

        public override ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken) => _inner.ReadAsync(cancellationToken);

        public override ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken) => _inner.WriteAsync(frame, cancellationToken);

        public override ValueTask CompleteAsync() => _inner.CompleteAsync();

        public override void HelloAccepted()
        {
            _inner.HelloAccepted();
            leftWaiting();
        }

        public override ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
