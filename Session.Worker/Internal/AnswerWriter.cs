using Google.Protobuf;
using Grpc.Core;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Writes one answer on a slot's stream, one frame at a time (writes never overlap): the head
/// rides with the first chunk when it fits in one (a large head goes first, in pieces), the last
/// frame carries <c>end</c>, and progress reports ride on whatever frame goes out next, or on a
/// frame of their own when nothing else is flowing (a download to disk). Nothing is written after
/// the end: the next request's answer follows on the same stream.
/// </summary>
internal sealed class AnswerWriter(IServerStreamWriter<WorkerFrame> stream, WorkerLifetime lifetime)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _progressLock = new();
    private ReadOnlyMemory<byte> _head;
    private bool _hasHead;
    private Protocol.Progress? _pendingProgress;
    private Task _progressSender = Task.CompletedTask;
    private bool _ended;

    public bool Ended
    {
        get
        {
            lock (_progressLock)
            {
                return _ended;
            }
        }
    }

    /// <summary>Holds the head back until the first chunk (or the end) goes out with it.</summary>
    public void SetHead(ResponseHead head)
    {
        _head = ContractSerializer.ToBytes(head);
        _hasHead = true;
    }

    /// <summary>Sends the head now, without a chunk (a streamed response: the caller gets it at the headers).</summary>
    public Task WriteHeadAsync(ResponseHead head)
    {
        SetHead(head);
        return WriteAsync(new WorkerFrame(), end: false);
    }

    /// <summary>Writes a chunk; <paramref name="chunk"/> need only live until the returned task completes.</summary>
    public Task WriteChunkAsync(ReadOnlyMemory<byte> chunk, bool last) =>
        WriteAsync(new WorkerFrame { Chunk = UnsafeByteOperations.UnsafeWrap(chunk) }, last);

    /// <summary>Ends the answer with an error; a head already sent (an error while streaming the body) stays as it is.</summary>
    public Task WriteErrorAsync(WorkerErrorKind kind, Exception exception) =>
        WriteAsync(new WorkerFrame { Error = UnsafeByteOperations.UnsafeWrap(ContractSerializer.ToBytes(WorkerError.From(kind, exception))) }, end: true);

    /// <summary>Takes a progress report; it goes out with the next frame, or on its own soon after.</summary>
    public void PostProgress(TransferProgress progress)
    {
        lock (_progressLock)
        {
            if (_ended)
            {
                return;
            }

            bool sending = _pendingProgress is not null;
            _pendingProgress = new Protocol.Progress
            {
                BytesSent = progress.BytesSent,
                TotalBytesToSend = progress.TotalBytesToSend ?? -1,
                BytesReceived = progress.BytesReceived,
                TotalBytesToReceive = progress.TotalBytesToReceive ?? -1,
            };
            if (!sending)
            {
                _progressSender = SendProgressAsync();
            }
        }
    }

    private async Task SendProgressAsync()
    {
        await Task.Yield();
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            Protocol.Progress? progress = TakeProgress(ending: false);
            if (progress is not null)
            {
                await stream.WriteAsync(new WorkerFrame { Progress = progress }).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The stream is gone; the answer's own writes will say so.
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task WriteAsync(WorkerFrame frame, bool end)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_hasHead)
            {
                _hasHead = false;
                for (int offset = 0; ; offset += WireLimits.ChunkSize)
                {
                    int length = Math.Min(WireLimits.ChunkSize, _head.Length - offset);
                    ByteString piece = UnsafeByteOperations.UnsafeWrap(_head.Slice(offset, length));
                    if (offset + length == _head.Length)
                    {
                        // The last piece of the head rides with this frame.
                        frame.Head = piece;
                        frame.HeadComplete = true;
                        break;
                    }

                    await stream.WriteAsync(new WorkerFrame { Head = piece }).ConfigureAwait(false);
                }
            }

            if (TakeProgress(end) is { } progress)
            {
                frame.Progress = progress;
            }

            frame.End = end;
            frame.Draining = end && lifetime.IsDraining;
            await stream.WriteAsync(frame).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }

        if (end)
        {
            // A report in flight found nothing to send (this frame took it) or is done: nothing follows the end.
            await _progressSender.ConfigureAwait(false);
        }
    }

    private Protocol.Progress? TakeProgress(bool ending)
    {
        lock (_progressLock)
        {
            Protocol.Progress? progress = _pendingProgress;
            _pendingProgress = null;
            _ended |= ending;
            return progress;
        }
    }
}
