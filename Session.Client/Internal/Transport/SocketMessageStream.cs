using System.Buffers.Binary;
using System.Net.Sockets;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// The local pool's socket transport: messages on a Unix socket connection, each after its length
/// (4 bytes, little-endian), with no HTTP/2 underneath. A length of 0 ends a stream cleanly; a
/// connection that ends without it is broken (its peer died). One connection carries one slot's
/// stream, so the kernel's socket buffers are its flow control. A length over the limit is refused
/// before anything is allocated for it; until the hello is accepted the limit is
/// <see cref="MaxHelloMessage"/>.
/// </summary>
internal sealed class SocketMessageStream : MessageStream
{
    /// <summary>The most a peer may send before its hello is accepted: only a hello fits.</summary>
    public const int MaxHelloMessage = 1024;

    private const int InitialBuffer = 16 * 1024;

    // A buffer grown past this for one large frame (a 1 MiB inline body) is dropped once drained:
    // a long-lived slot's stream keeps a small one, not the largest frame it ever carried.
    private const int KeptBuffer = 128 * 1024;

    private static readonly byte[] s_end = new byte[4];

    private readonly NetworkStream _stream;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private int _pending;
    private bool _ended;
    private int _maxMessage;

    public SocketMessageStream(Socket socket, bool acceptsHello)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        _maxMessage = acceptsHello ? MaxHelloMessage : MaxMessage;
    }

    /// <summary>Connects to a worker's socket; a refused or missing socket is <see cref="TransportFailure.Refused"/>.</summary>
    public static async ValueTask<SocketMessageStream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new WorkerTransportException(
                exception.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported ? TransportFailure.Refused : TransportFailure.Broken,
                $"The worker's socket '{socketPath}' could not be reached: {exception.Message}",
                exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SocketMessageStream(socket, acceptsHello: false);
    }

    public override void HelloAccepted() => _maxMessage = MaxMessage;

    public override async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        // The previous message's bytes are the caller's until this call: drop them now.
        _start += _pending;
        _pending = 0;
        if (_start == _end && _buffer.Length > KeptBuffer)
        {
            _buffer = new byte[InitialBuffer];
            _start = _end = 0;
        }

        // Nothing is consumed until the whole frame is here: a read given up half-way leaves the
        // stream in step for the next one.
        await FillAsync(4, cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length == 0)
        {
            _start += 4;
            _ended = true;
            return null;
        }

        if (length < 0 || length > _maxMessage)
        {
            throw new WorkerTransportException(TransportFailure.TooLarge, $"A frame of {length} bytes was announced; at most {_maxMessage} are accepted.");
        }

        await FillAsync(4 + length, cancellationToken).ConfigureAwait(false);
        _start += 4;
        _pending = length;
        return _buffer.AsMemory(_start, length);
    }

    public override async ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frame.Span, frame.Length - HeaderRoom);
        try
        {
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            throw Broken(exception);
        }
    }

    public override async ValueTask CompleteAsync()
    {
        try
        {
            await _stream.WriteAsync(s_end).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            throw Broken(exception);
        }
    }

    public override ValueTask DisposeAsync() => _stream.DisposeAsync();

    private static WorkerTransportException Broken(Exception exception) =>
        new(TransportFailure.Broken, "The connection to the other side broke: " + exception.Message, exception);

    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_buffer.Length - _start < count)
        {
            // Move what is left to the front; grow only for a frame already within the limit.
            byte[] target = _buffer.Length >= count ? _buffer : new byte[Math.Max(count, Math.Min(2 * _buffer.Length, _maxMessage + 4))];
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            _end -= _start;
            _start = 0;
            _buffer = target;
        }

        while (_end - _start < count)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
            {
                throw Broken(exception);
            }

            if (read == 0)
            {
                throw new WorkerTransportException(TransportFailure.Broken, "The connection ended without its end mark: its other side is gone.");
            }

            _end += read;
        }
    }
}
