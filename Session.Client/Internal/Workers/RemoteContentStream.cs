using System.Diagnostics;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// The live body of a response streamed from a worker (<c>RequestOptions.Stream</c>): each read
/// takes the next chunk off the slot's stream, so the reader paces the worker through the stream's
/// flow control (at most <see cref="UnixSocketChannel.StreamWindow"/> in flight). The slot waits on
/// <see cref="Finished"/>: the body read to its end, the stream disposed before it (the slot then
/// aborts the exchange in the worker), or the stream broken (the worker died; reads then throw
/// what the slot found out about the death).
/// </summary>
[DebuggerDisplay("{_state}, {_received} bytes read")]
internal sealed class RemoteContentStream : ReadOnlyBodyStream
{
    private readonly ReplyReader _reader;
    private readonly ProgressTracker? _progress;
    private readonly int _processId;
    private readonly TaskCompletionSource<StreamEnd> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception> _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReadOnlyMemory<byte> _current;
    private State _state;
    private Exception? _error;
    private long _received;

    public RemoteContentStream(ReplyReader reader, WorkerFrame first, ProgressTracker? progress, int processId)
    {
        _reader = reader;
        _progress = progress;
        _processId = processId;
        Take(first);
    }

    /// <summary>How the slot gets its stream back.</summary>
    internal enum StreamEnd
    {
        /// <summary>The answer's last frame was read: the stream is in step.</summary>
        EndReached,

        /// <summary>Disposed before the end: the slot must stop the worker's exchange and read the rest of the answer.</summary>
        Abandoned,

        /// <summary>The stream broke: the slot explains why through <see cref="Fail"/>.</summary>
        Broken,
    }

    private enum State
    {
        Open,
        Ended,
        Disposed,
        Broken,
    }

    public Task<StreamEnd> Finished => _finished.Task;

    /// <summary>The transport failure that broke the stream, for the slot to explain.</summary>
    public Exception? BrokenBy { get; private set; }

    /// <summary>What reads throw once the stream broke (a WorkerCrashedException, usually).</summary>
    public void Fail(Exception exception) => _failure.TrySetResult(exception);

    // Stream's contract has a synchronous Read; its source here is asynchronous (the gRPC stream),
    // so a synchronous read blocks its caller's thread, as PipeReader.AsStream() does. Prefer ReadAsync.
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
                throw await _failure.Task.ConfigureAwait(false);
            }

            WorkerFrame frame;
            try
            {
                frame = await _reader.NextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The read stays pending in the reader; a later read picks it up.
                throw;
            }
            catch (Exception exception)
            {
                _state = State.Broken;
                BrokenBy = exception;
                _finished.TrySetResult(StreamEnd.Broken);
                throw await _failure.Task.ConfigureAwait(false);
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
            _finished.TrySetResult(early ? StreamEnd.Abandoned : StreamEnd.EndReached);
        }

        base.Dispose(disposing);
    }

    private void Take(WorkerFrame frame)
    {
        if (!frame.Error.IsEmpty)
        {
            // The exchange failed mid-body (the server cut the connection, the reading timed out, ...).
            WorkerError error = ContractSerializer.FromBytes<WorkerError>(frame.Error.Memory);
            _error = RemoteExceptions.Create(error, callback: null, _processId);
        }

        _current = frame.Chunk.Memory;
        if (frame.End)
        {
            _state = State.Ended;
            _finished.TrySetResult(StreamEnd.EndReached);
        }
    }
}
