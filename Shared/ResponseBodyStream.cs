namespace Session.Shared;

/// <summary>
/// The live body of a streamed response (<c>RequestOptions.Stream</c>), read in this process:
/// it counts what is read for progress reports, owns the response message (disposing the
/// stream before the end aborts the exchange), and says when it is done with
/// <see cref="Released"/>, so the executor's slot is held exactly as long as the body is.
/// </summary>
internal sealed class ResponseBodyStream(HttpResponseMessage message, Stream inner, ProgressTracker? progress) : Stream
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <summary>Completes when the body was read to its end, failed, or the stream was disposed.</summary>
    public Task Released => _released.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("A streamed body's length is not known before it is read; see the Content-Length header, if the server sent one.");

    public override long Position
    {
        get => throw new NotSupportedException("A streamed body cannot seek.");
        set => throw new NotSupportedException("A streamed body cannot seek.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(inner.Read(buffer), buffer.Length);
        }
        catch
        {
            _released.TrySetResult();
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);
        }
        catch
        {
            _released.TrySetResult();
            throw;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A streamed body cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A streamed body is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A streamed body is read-only.");

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            message.Dispose();
            _released.TrySetResult();
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            message.Dispose();
            _released.TrySetResult();
        }

        base.Dispose(disposing);
    }

    private int Counted(int read, int asked)
    {
        if (read > 0)
        {
            progress?.AddReceived(read);
        }
        else if (asked > 0)
        {
            // The end of the body: report the final counts; the slot may take its next request.
            progress?.Complete();
            _released.TrySetResult();
        }

        return read;
    }
}
