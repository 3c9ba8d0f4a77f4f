using System.Net.Sockets;
using Grpc.Core;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A slot's stream on a Unix socket connection of its own (<see cref="WorkerTransport.Socket"/>):
/// the protocol's messages, framed by <see cref="FramedStream"/>, the first carrying the token.
/// When the worker dies the socket is closed, which ends every read and write on it.
/// </summary>
internal sealed class SocketSlotStream : SlotStream
{
    private readonly NetworkStream _stream;
    private readonly FrameReader<WorkerFrame> _replies;
    private readonly CancellationTokenRegistration _onDead;

    private SocketSlotStream(NetworkStream stream, CancellationToken dead)
    {
        _stream = stream;
        _replies = new FrameReader<WorkerFrame>(stream, WorkerFrame.Parser, WireLimits.MaxMessage);
        _onDead = dead.UnsafeRegister(static state => ((NetworkStream)state!).Dispose(), stream);
    }

    public override IAsyncStreamReader<WorkerFrame> Replies => _replies;

    /// <summary>Connects to the worker's socket and says the token.</summary>
    public static async Task<SlotStream> ConnectAsync(string socketPath, string token, CancellationToken dead)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), dead).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new SocketSlotStream(new NetworkStream(socket, ownsSocket: true), dead);
        try
        {
            await stream.WriteAsync(new ClientFrame { Token = token }).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public override void Dispose()
    {
        _onDead.Dispose();
        _stream.Dispose();
        base.Dispose();
    }

    protected override Task WriteFrameAsync(ClientFrame frame) => FramedStream.WriteAsync(_stream, frame);

    protected override Task CompleteWritesAsync() => FramedStream.WriteEndAsync(_stream);
}
