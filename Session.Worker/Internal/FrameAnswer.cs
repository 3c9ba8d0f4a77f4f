using System.Buffers;
using Google.Protobuf;
using MessagePack;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A worker's answer to one request, as frames on its slot's stream (see worker.proto): the
/// cookies, then the head riding with the first chunk (or sent alone, at once, for a streamed
/// body), chunks of at most <see cref="ChunkSize"/> bytes, and an end; or an error. Progress reports
/// ride on whatever frame goes out next, or on a frame of their own soon after when nothing else
/// flows (a download to disk). Nothing is written after the end: the next request's answer follows
/// on the same stream.
/// </summary>
internal sealed class FrameAnswer(FrameChannel<ClientFrame, WorkerFrame> channel, ResolvedCallback? callback, CancellationToken draining) : IRequestAnswer
{
    /// <summary>Body and result chunks: under 85,000 bytes, so no chunk lands on the large object heap.</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly Lock _lock = new();

    // Taking the pending progress and writing it are one step, in the same order for the progress
    // sender and the answer's frames: else the sender could take the final report, the end frame
    // be written first, and the caller's task complete before the report arrives (or without it).
    private readonly SemaphoreSlim _ordered = new(1, 1);
    private ResponseInfo? _head;
    private bool _headSent;
    private bool _downloaded;
    private Progress? _pendingProgress;
    private bool _ended;

    public bool HasCallback => callback is not null;

    public bool InProcess => false;

    public bool Ended
    {
        get
        {
            lock (_lock)
            {
                return _ended;
            }
        }
    }

    public IBodySink OpenBody(ResponseInfo info, BodyUse use)
    {
        _head = info;
        return new RelaySink(this, use);
    }

    public void HandOver(ResponseInfo info, ResponseBodyStream body, SlotLease lease) =>
        throw new InvalidOperationException("A worker relays a streamed body; it hands nothing over.");

    public Task DownloadedAsync(ResponseInfo info, string file)
    {
        _head = info;
        _downloaded = true;
        return WriteAsync(new WorkerFrame(), end: true).AsTask();
    }

    public async Task<object?> RunCallbackAsync(Response response, CancellationToken cancellationToken) =>
        await callback!.InvokeAsync(response, cancellationToken).ConfigureAwait(false);

    public async Task ResultAsync(ResponseInfo info, Response response, object? result)
    {
        using var serialized = new BodyBuffer();
        try
        {
            MessagePackSerializer.Serialize(callback!.ResultType, serialized, result, ResultSerializer.Options);
        }
        catch (Exception exception)
        {
            // MessagePack wraps the reason ("Failed to serialize T value"): send the reason.
            await FailAsync(ErrorKind.Serialization, exception.GetBaseException()).ConfigureAwait(false);
            return;
        }

        _head = info;
        _downloaded = response.DownloadPath is not null && !_headSent;
        long left = serialized.Length;
        if (left == 0)
        {
            await WriteAsync(new WorkerFrame(), end: true).ConfigureAwait(false);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in serialized.Segments)
        {
            for (int offset = 0; offset < segment.Length; offset += ChunkSize)
            {
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, Math.Min(ChunkSize, segment.Length - offset));
                left -= chunk.Length;
                await WriteAsync(new WorkerFrame { Chunk = UnsafeByteOperations.UnsafeWrap(chunk) }, end: left == 0).ConfigureAwait(false);
            }
        }
    }

    public Task FailAsync(ErrorKind kind, Exception exception) =>
        WriteAsync(new WorkerFrame { Error = WorkerErrors.From(kind, exception) }, end: true, withHead: false).AsTask();

    /// <summary>Takes a progress report; it goes out with the next frame, or on its own soon after.</summary>
    public void PostProgress(TransferProgress progress)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            bool sending = _pendingProgress is not null;
            _pendingProgress = new Progress
            {
                BytesSent = progress.BytesSent,
                TotalBytesToSend = progress.TotalBytesToSend ?? -1,
                BytesReceived = progress.BytesReceived,
                TotalBytesToReceive = progress.TotalBytesToReceive ?? -1,
            };
            if (!sending)
            {
                _ = SendProgressAsync();
            }
        }
    }

    private async Task SendProgressAsync()
    {
        await Task.Yield();
        await _ordered.WaitAsync().ConfigureAwait(false);
        try
        {
            if (TakeProgress(ending: false) is { } progress)
            {
                await channel.WriteAsync(new WorkerFrame { Progress = progress }).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            // The stream is gone; the answer's own writes will say so.
        }
        finally
        {
            _ordered.Release();
        }
    }

    /// <summary>Writes a frame: the cookies and the head go first (with it) if they have not, progress rides along, and <paramref name="end"/> ends the answer.</summary>
    private async ValueTask WriteAsync(WorkerFrame frame, bool end, bool withHead = true)
    {
        await _ordered.WaitAsync().ConfigureAwait(false);
        try
        {
            if (withHead && !_headSent && _head is { } info)
            {
                _headSent = true;
                foreach (CookiesSet cookies in info.Cookies)
                {
                    await channel.WriteAsync(new WorkerFrame { Cookies = cookies }).ConfigureAwait(false);
                }

                frame.Head = info.ToHead(_downloaded);
            }

            if (TakeProgress(end) is { } progress)
            {
                frame.Progress = progress;
            }

            frame.End = end;
            frame.Draining = end && draining.IsCancellationRequested;
            await channel.WriteAsync(frame).ConfigureAwait(false);
        }
        finally
        {
            _ordered.Release();
        }
    }

    private Progress? TakeProgress(bool ending)
    {
        lock (_lock)
        {
            Progress? progress = _pendingProgress;
            _pendingProgress = null;
            _ended |= ending;
            return progress;
        }
    }

    /// <summary>
    /// A body relayed as the runner reads it. Buffered and downloaded bodies fill whole chunks
    /// (fewer frames); a streamed one sends its head at once (the caller's task completes at the
    /// headers) and each read as it arrives, so the caller's reading paces the exchange through
    /// the stream's flow control.
    /// </summary>
    private sealed class RelaySink : IBodySink
    {
        private readonly FrameAnswer _answer;
        private readonly BodyUse _use;
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int _used;
        private Task _headWritten = Task.CompletedTask;

        public RelaySink(FrameAnswer answer, BodyUse use)
        {
            _answer = answer;
            _use = use;
            if (use == BodyUse.Streamed)
            {
                _headWritten = answer.WriteAsync(new WorkerFrame(), end: false).AsTask();
            }
        }

        public Memory<byte> GetMemory() => _buffer.AsMemory(_used, ChunkSize - _used);

        public async ValueTask AdvanceAsync(int count)
        {
            await _headWritten.ConfigureAwait(false);
            _used += count;
            if (_use == BodyUse.Streamed || _used == ChunkSize)
            {
                await SendAsync(end: false).ConfigureAwait(false);
            }
        }

        public async ValueTask CompleteAsync()
        {
            await _headWritten.ConfigureAwait(false);
            if (_use == BodyUse.DownloadBeforeResult)
            {
                // The callback's result ends the answer.
                if (_used > 0)
                {
                    await SendAsync(end: false).ConfigureAwait(false);
                }

                return;
            }

            await SendAsync(end: true).ConfigureAwait(false);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async ValueTask SendAsync(bool end)
        {
            ByteString chunk = UnsafeByteOperations.UnsafeWrap(_buffer.AsMemory(0, _used));
            WorkerFrame frame = _use is BodyUse.Download or BodyUse.DownloadBeforeResult ? new WorkerFrame { Download = chunk } : new WorkerFrame { Chunk = chunk };
            await _answer.WriteAsync(frame, end).ConfigureAwait(false);
            _used = 0;
        }
    }
}
