using System.Net.Sockets;
using System.Runtime.InteropServices;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// A local worker on the socket transport (<see cref="SocketMessageStream"/>): no web server, a
/// listening Unix socket in the pool's 0700 directory, and one connection per slot of the pool.
/// Nothing a peer does ends it: a connection that does not say hello with the token within
/// <see cref="WorkerServer.HelloTimeout"/> is closed unread; at most <see cref="MaxUnauthenticated"/>
/// connections may wait to do so (a new one closes the oldest); and when the process is out of file
/// descriptors, those waiting are closed, and accepting pauses and resumes rather than failing.
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
        // Opened now: the first use of Console.Error opens a descriptor, which is not to be had
        // when the process is at its limit, the moment it is needed to say so.
        TextWriter errors = Console.Error;
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(128);
        }
        catch (SocketException exception)
        {
            errors.WriteLine($"The worker could not listen on '{socketPath}': {exception.Message}");
            return 1;
        }

        Console.Out.WriteLine(WorkerEnvironment.ReadyLine);
        Console.Out.Flush();
        AcceptAsync(listener, server, token, errors).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task AcceptAsync(Socket listener, WorkerServer server, string token, TextWriter errors)
    {
        var waiting = new LinkedList<Socket>();
        var waitingLock = new Lock();
        TimeSpan pause = s_firstPause;
        bool told = false;
        using var accepting = new Accepting();
        using var reserve = new DescriptorReserve();
        while (true)
        {
            (Socket? connection, SocketError error) = await accepting.NextAsync(listener).ConfigureAwait(false);
            if (error is SocketError.ConnectionAborted or SocketError.Interrupted)
            {
                continue;
            }

            if (connection is not null)
            {
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

                if (!DescriptorReserve.NearLimit())
                {
                    pause = s_firstPause;
                    continue;
                }

                error = SocketError.TooManyOpenSockets;
            }

            // Out of file descriptors (EMFILE, ENFILE; or this accept left only a few), or
            // another passing failure. At its limit the runtime itself fails (a thread it cannot
            // start ends the process), so the reserve is handed back to it, the connections that
            // have not shown the token are closed (a client of this pool says hello at once; a
            // flood does not), and accepting resumes after a pause, with the reserve taken again.
            if (!told)
            {
                told = true;
                errors.WriteLine($"The worker could not accept a connection ({error}); it closes the connections that have not shown the token, keeps serving and tries again.");
            }

            reserve.Release();
            Socket[] shed;
            lock (waitingLock)
            {
                shed = [.. waiting];
                waiting.Clear();
            }

            foreach (Socket stranger in shed)
            {
                stranger.Dispose();
            }

            await Task.Delay(pause).ConfigureAwait(false);
            pause = pause * 2 < s_maxPause ? pause * 2 : s_maxPause;
            reserve.Take();
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

    /// <summary>
    /// A few descriptors held back from accepting (on /dev/null), for the runtime to have when
    /// accepting has used up the rest. Without exceptions: at the limit, an exception's first
    /// description would have the runtime load files it cannot open.
    /// </summary>
    private sealed class DescriptorReserve : IDisposable
    {
        private const int Size = 16;
        private const int Margin = 4;
        private const int ReadOnlyCloseOnExec = 0x80000;

        private readonly int[] _held = new int[Size];

        public DescriptorReserve()
        {
            Array.Fill(_held, -1);
            Take();
            _ = NearLimit(); // its interop is ready before it is needed
        }

        /// <summary>Whether this process could not open a few more descriptors (checked after each accept, so it never comes to its last one by accepting).</summary>
        public static bool NearLimit()
        {
            Span<int> probes = stackalloc int[Margin];
            bool near = false;
            for (int i = 0; i < probes.Length; i++)
            {
                probes[i] = open("/dev/null", ReadOnlyCloseOnExec);
                near |= probes[i] < 0;
            }

            foreach (int probe in probes)
            {
                if (probe >= 0)
                {
                    _ = close(probe);
                }
            }

            return near;
        }

        /// <summary>Takes as much of the reserve as can be had.</summary>
        public void Take()
        {
            for (int i = 0; i < _held.Length; i++)
            {
                if (_held[i] < 0 && (_held[i] = open("/dev/null", ReadOnlyCloseOnExec)) < 0)
                {
                    return;
                }
            }
        }

        public void Release()
        {
            for (int i = 0; i < _held.Length; i++)
            {
                if (_held[i] >= 0)
                {
                    _ = close(_held[i]);
                    _held[i] = -1;
                }
            }
        }

        public void Dispose() => Release();

        [DllImport("libc", SetLastError = false)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = false)]
        private static extern int close(int descriptor);
    }

    /// <summary>
    /// Accepts without throwing: a failure is a value. At the descriptor limit, a thrown exception
    /// would have the runtime open files of its own (to describe its stack) that it cannot then
    /// open, and it would end the process.
    /// </summary>
    private sealed class Accepting : SocketAsyncEventArgs
    {
        private TaskCompletionSource? _accepted;

        public async Task<(Socket? Connection, SocketError Error)> NextAsync(Socket listener)
        {
            AcceptSocket = null;
            _accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (listener.AcceptAsync(this))
            {
                await _accepted.Task.ConfigureAwait(false);
            }

            return SocketError == SocketError.Success ? (AcceptSocket, SocketError.Success) : (null, SocketError);
        }

        protected override void OnCompleted(SocketAsyncEventArgs e) => _accepted!.TrySetResult();
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
