using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;

namespace ProcessFutures.Internal;

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
    private const int InitialBuffer = 16 * 1024;

    // A buffer grown past this for one large frame (a 1 MiB inline body) is dropped once drained:
    // a long-lived slot's stream keeps a small one, not the largest frame it ever carried.
    private const int KeptBuffer = 128 * 1024;

    private byte[] _buffer = new byte[InitialBuffer];
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
            if (_start == _end && _buffer.Length > KeptBuffer)
            {
                _buffer = new byte[InitialBuffer];
                _start = _end = 0;
            }

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
