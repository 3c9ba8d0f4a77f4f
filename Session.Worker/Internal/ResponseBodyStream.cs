namespace ProcessFutures.Internal;

/// <summary>
/// The live body of a streamed response (<c>RequestOptions.Stream</c>), read in this process:
/// it counts what is read for progress reports, owns the response message (disposing the
/// stream before the end aborts the exchange), and says when it is done with
/// <see cref="Released"/>, so the executor's slot is held exactly as long as the body is.
/// </summary>
internal sealed class ResponseBodyStream(HttpResponseMessage message, Stream inner, ProgressTracker? progress) : ReadOnlyBodyStream
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <summary>Completes when the body was read to its end, failed, or the stream was disposed.</summary>
    public Task Released => _released.Task;

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
