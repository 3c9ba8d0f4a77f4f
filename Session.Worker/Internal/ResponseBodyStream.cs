namespace ProcessFutures.Internal;

/// <summary>
/// The live body of a streamed response (<c>RequestOptions.Stream</c>), read in this process: it
/// counts what is read for progress reports, owns the response message (disposing the stream
/// before the end aborts the exchange), and ends its <see cref="SlotLease"/> when done, so the
/// executor's slot is held exactly as long as the body is: read to its end, failed, disposed, or
/// collected without being disposed.
/// </summary>
internal sealed class ResponseBodyStream(HttpResponseMessage message, Stream inner, ProgressTracker? progress, SlotLease lease) : ReadOnlyBodyStream
{
    private int _disposed;

    /// <summary>What the slot that ran the request waits on while the body is held.</summary>
    public SlotLease Lease => lease;

    ~ResponseBodyStream()
    {
        // Dropped without Dispose: give the slot back. The connection is not touched here (its
        // own objects may already be finalized); it is released when they are.
        lease.End(LeaseEnd.Collected);
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(inner.Read(buffer), buffer.Length);
        }
        catch
        {
            lease.End(LeaseEnd.EndReached);
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
            lease.End(LeaseEnd.EndReached);
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            message.Dispose();
            lease.End(LeaseEnd.Abandoned);
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            message.Dispose();
            lease.End(LeaseEnd.Abandoned);
            GC.SuppressFinalize(this);
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
            lease.End(LeaseEnd.EndReached);
        }

        return read;
    }
}
