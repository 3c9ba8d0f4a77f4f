using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure of ProcessFutures and ProcessFutures.Remote, public only so that the remote
/// package can plug its transport in without access to internals: not for applications, and it may
/// change in any release (the remote package depends on this exact version).
/// <para>
/// One worker slot's stream of protocol messages (the <c>ClientFrame</c>s and <c>WorkerFrame</c>s
/// of proto/worker.proto, serialized), whatever carries them: a Unix socket with length-prefixed
/// frames, or a gRPC call. Reads and writes may run at once; writes never overlap each other.
/// Transport failures surface as <see cref="WorkerTransportException"/>.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class MessageStream : IAsyncDisposable
{
    /// <summary>The bytes in front of every message given to <see cref="WriteAsync"/>, which a transport may use for its own framing.</summary>
    public const int HeaderRoom = 4;

    /// <summary>The largest message a worker or client accepts: bodies and results travel in chunks far smaller.</summary>
    public const int MaxMessage = 4 * 1024 * 1024;

    /// <summary>The next message, valid until the next read; null when the peer ended the stream cleanly.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message's bytes, or null at the end.</returns>
    public abstract ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes one message: <paramref name="frame"/> holds <see cref="HeaderRoom"/> bytes, then the message.</summary>
    /// <param name="frame">The room, then the message; the transport may overwrite the room.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the message is written.</returns>
    public abstract ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Ends this side's writes cleanly: the peer reads the end.</summary>
    /// <returns>A task that completes when the end is written.</returns>
    public abstract ValueTask CompleteAsync();

    /// <summary>Called by a worker once the first message (the hello) was accepted: a transport that limits what an unauthenticated peer may send lifts the limit.</summary>
    public virtual void HelloAccepted()
    {
    }

    /// <summary>Releases the stream (a broken or unfinished one is aborted).</summary>
    /// <returns>A task that completes when the stream is released.</returns>
    public abstract ValueTask DisposeAsync();
}
