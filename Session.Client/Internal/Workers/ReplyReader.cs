using Grpc.Core;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Reads the frames of one answer from a slot's stream, forwarding progress reports to the
/// caller. A wait may be abandoned (a reader's token) without losing the read: the pending read
/// is kept and the next call picks it up, so the stream stays in step.
/// </summary>
internal sealed class ReplyReader(IAsyncStreamReader<WorkerFrame> replies, IWorkerHost host, PendingWork work, int processId)
{
    private Task<bool>? _pending;
    private int _frames;

    public async ValueTask<WorkerFrame> NextAsync(CancellationToken waitToken = default)
    {
        _pending ??= replies.MoveNext(CancellationToken.None);
        bool more = await _pending.WaitAsync(waitToken).ConfigureAwait(false);
        _pending = null;
        if (!more)
        {
            throw new StreamEndedException(processId, beforeAnswer: _frames == 0);
        }

        _frames++;
        WorkerFrame frame = replies.Current;
        host.CountFromWorkers(frame.CalculateSize());
        if (frame.Progress is { } progress && work.Progress is { } tracker)
        {
            tracker.Update(new TransferProgress(
                progress.BytesSent,
                progress.TotalBytesToSend < 0 ? null : progress.TotalBytesToSend,
                progress.BytesReceived,
                progress.TotalBytesToReceive < 0 ? null : progress.TotalBytesToReceive));
        }

        return frame;
    }
}
