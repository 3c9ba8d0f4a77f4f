namespace ProcessFutures.Internal;

/// <summary>
/// What every streamed body has in common: read-only, forward-only, of unknown length. Subclasses
/// implement the reads (span and memory); the array overloads forward to them.
/// </summary>
internal abstract class ReadOnlyBodyStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public sealed override long Length => throw new NotSupportedException("A streamed body's length is not known before it is read; see the Content-Length header, if the server sent one.");

    public sealed override long Position
    {
        get => throw new NotSupportedException("A streamed body cannot seek.");
        set => throw new NotSupportedException("A streamed body cannot seek.");
    }

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A streamed body cannot seek.");

    public sealed override void SetLength(long value) => throw new NotSupportedException("A streamed body is read-only.");

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A streamed body is read-only.");
}
