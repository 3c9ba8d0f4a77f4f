using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;

namespace Session.Shared;

/// <summary>
/// The local pool's socket transport: the messages of proto/worker.proto on a Unix socket, each
/// after its length (4 bytes, little-endian), with no HTTP/2 underneath. A length of 0 ends a
/// stream cleanly; a socket that ends without it is broken (its peer died). One socket carries one
/// worker slot's stream, so the kernel's socket buffers are its flow control.
/// </summary>
internal static class FramedStream
{
    /// <summary>The most a peer may send before the token is checked: only a token fits.</summary>
    public const int MaxHelloMessage = 1024;

    private static readonly byte[] s_end = new byte[4];

    /// <summary>Writes one message, length first, in one write.</summary>
    public static async Task WriteAsync(Stream stream, IMessage message, CancellationToken cancellationToken = default)
    {
        int size = message.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size + 4);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, size);
            message.WriteTo(buffer.AsSpan(4, size));
            await stream.WriteAsync(buffer.AsMemory(0, size + 4), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends the stream cleanly (what follows on this socket is nothing).</summary>
    public static Task WriteEndAsync(Stream stream) => stream.WriteAsync(s_end).AsTask();
}

/// <summary>
/// Reads length-prefixed messages (see <see cref="FramedStream"/>). A length over
/// <see cref="MaxMessage"/> is refused before anything is allocated for it. Any failure (the
/// socket broke or ended without the end mark, a frame too large or unreadable) cancels
/// <paramref name="broken"/> first, so whatever runs for this stream stops too, then throws
/// <see cref="IOException"/> or <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class FrameReader<T>(Stream stream, MessageParser<T> parser, int maxMessage, CancellationTokenSource? broken = null) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The largest message accepted now (lowered until a peer has shown its token).</summary>
    public int MaxMessage { get; set; } = maxMessage;

    public T Current { get; private set; } = null!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return false;
        }

        try
        {
            await FillAsync(4, cancellationToken).ConfigureAwait(false);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            _start += 4;
            if (length == 0)
            {
                _ended = true;
                return false;
            }

            if (length < 0 || length > MaxMessage)
            {
                throw new InvalidDataException($"A frame of {length} bytes was announced; at most {MaxMessage} are accepted.");
            }

            await FillAsync(length, cancellationToken).ConfigureAwait(false);
            try
            {
                Current = parser.ParseFrom(_buffer.AsSpan(_start, length));
            }
            catch (InvalidProtocolBufferException exception)
            {
                throw new InvalidDataException("A frame could not be read: " + exception.Message, exception);
            }

            _start += length;
            return true;
        }
        catch
        {
            broken?.Cancel();
            throw;
        }
    }

    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_buffer.Length - _start < count)
        {
            // Move what is left to the front; grow only for a frame already within the limit.
            byte[] target = _buffer.Length >= count ? _buffer : new byte[Math.Max(count, Math.Min(2 * _buffer.Length, MaxMessage + 4))];
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            _end -= _start;
            _start = 0;
            _buffer = target;
        }

        while (_end - _start < count)
        {
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The connection ended without its end mark: its other side is gone.");
            }

            _end += read;
        }
    }
}

/// <summary>Writes length-prefixed messages (see <see cref="FramedStream"/>); writes never overlap (the callers' rule, as on a gRPC stream).</summary>
internal sealed class FrameWriter<T>(Stream stream) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => FramedStream.WriteAsync(stream, message);
}
