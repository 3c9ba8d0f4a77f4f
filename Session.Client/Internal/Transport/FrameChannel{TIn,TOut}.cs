using System.Buffers;
using Google.Protobuf;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// The protocol's typed frames over a <see cref="MessageStream"/>: the one place frames are
/// serialized and parsed, on either side. Writes never overlap (a cancel may race a request's
/// frames on the client; a progress report a chunk on the worker). A message that cannot be parsed
/// is <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class FrameChannel<TIn, TOut>(MessageStream stream, MessageParser<TIn> parser)
    where TIn : class, IMessage<TIn>
    where TOut : class, IMessage<TOut>
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    public MessageStream Stream => stream;

    /// <summary>The next frame, or null at the peer's clean end.</summary>
    public async ValueTask<TIn?> ReadAsync(CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? message = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (message is not { } bytes)
        {
            return null;
        }

        try
        {
            return parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new InvalidDataException("A frame could not be read: " + exception.Message, exception);
        }
    }

    public async ValueTask WriteAsync(TOut frame, CancellationToken cancellationToken = default)
    {
        int size = frame.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size + MessageStream.HeaderRoom);
        try
        {
            frame.WriteTo(buffer.AsSpan(MessageStream.HeaderRoom, size));
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(buffer.AsMemory(0, size + MessageStream.HeaderRoom), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writing.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends this side's writes cleanly, after any write in progress.</summary>
    public async ValueTask CompleteAsync()
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await stream.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }
}
