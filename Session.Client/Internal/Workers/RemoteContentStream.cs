using System.Diagnostics;
using ProcessFutures.Infrastructure;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// The live body of a response streamed from a worker (<c>RequestOptions.Stream</c>): each read
/// takes the next chunk off the slot's stream, so the reader paces the worker through the stream's
/// flow control. The slot waits on the <see cref="SlotLease"/>, and holds nothing else: the body
/// read to its end, the stream disposed before it (the slot then aborts the exchange in the
/// worker), collected without being disposed (the same, with a warning), or the stream broken
/// (the worker died: reads throw what the worker says of its loss).
/// </summary>
[DebuggerDisplay("{_state}, {_received} bytes read")]
internal sealed class RemoteContentStream : ReadOnlyBodyStream
{
    private readonly SlotConnection _connection;
    private readonly ServingWorker _worker;
    private readonly string _request;
    private readonly ProgressTracker? _progress;
    private readonly SlotLease _lease;
    private ReadOnlyMemory<byte> _current;
    private State _state;
    private Exception? _error;
    private long _received;

    public RemoteContentStream(SlotConnection connection, WorkerFrame first, ServingWorker worker, string request, ProgressTracker? progress, SlotLease lease)
    {
        _connection = connection;
        _worker = worker;
        _request = request;
        _progress = progress;
        _lease = lease;
        Take(first);
    }

    ~RemoteContentStream()
    {
        _lease.End(LeaseEnd.Collected);
    }

    private enum State
    {
        Open,
        Ended,
        Disposed,
        Broken,
    }

    // Stream's contract has a synchronous Read; its source here is asynchronous (the slot's
    // stream), so a synchronous read blocks its caller's thread, as PipeReader.AsStream() does.
    public override int Read(Span<byte> buffer)
    {
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_state == State.Disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current.IsEmpty)
        {
            if (_state == State.Ended)
            {
                if (_error is not null)
                {
                    throw _error;
                }

                _progress?.Complete();
                return 0;
            }

            if (_state == State.Broken)
            {
                throw _error!;
            }

            WorkerFrame frame;
            try
            {
                frame = await _connection.NextAsync(_worker.ProcessId, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The read stays pending in the connection; a later read picks it up.
                throw;
            }
            catch (Exception exception)
            {
                _state = State.Broken;
                _error = await _worker.ExplainLossAsync(_request, exception).ConfigureAwait(false);
                _lease.End(LeaseEnd.Broken);
                throw _error;
            }

            Take(frame);
        }

        int count = Math.Min(buffer.Length, _current.Length);
        _current.Span[..count].CopyTo(buffer.Span);
        _current = _current[count..];
        _received += count;
        _progress?.AddReceived(count);
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _state != State.Disposed)
        {
            bool early = _state == State.Open;
            _state = State.Disposed;
            _current = default;
            _lease.End(early ? LeaseEnd.Abandoned : LeaseEnd.EndReached);
            GC.SuppressFinalize(this);
        }

        base.Dispose(disposing);
    }

    private void Take(WorkerFrame frame)
    {
        if (frame.Error is { } error)
        {
            // The exchange failed mid-body (the server cut the connection, the reading timed out, ...).
            _error = RemoteExceptions.Create(error, callback: null, _worker.ProcessId);
        }

        if (frame.Progress is { } progress)
        {
            _progress?.Update(RemoteCall.ToTransferProgress(progress));
        }

        _current = frame.Chunk.Memory;
        if (frame.End)
        {
            _state = State.Ended;
            _lease.End(LeaseEnd.EndReached);
        }
    }
}
