using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// The thread pool's answer: the request's outcome goes straight to the caller's task, in this
/// process. A buffered body becomes the <see cref="Response"/>'s content; a streamed one is handed
/// over as it is (its lease holds the slot until the caller is done with it); a download is moved
/// into place as the task completes; callbacks are the caller's delegates, lambdas included.
/// </summary>
internal sealed class LocalAnswer(PendingWork work) : IRequestAnswer
{
    /// <summary>The lease of a streamed body the caller holds: the slot waits on it.</summary>
    public SlotLease? Held { get; private set; }

    public bool HasCallback => work.HasCallback;

    public bool InProcess => true;

    public bool Ended => work.IsEnded;

    public IBodySink OpenBody(ResponseInfo info, BodyUse use) =>
        use == BodyUse.Buffered ? new ContentSink(work, info) : throw new InvalidOperationException($"In process, a body is not relayed ({use}).");

    public void HandOver(ResponseInfo info, ResponseBodyStream body, SlotLease lease)
    {
        if (work.Complete(info.ToResponse(body)))
        {
            Held = lease;
        }
        else
        {
            // Cancelled while the headers were on their way: nobody will read it.
            body.Dispose();
        }
    }

    public Task DownloadedAsync(ResponseInfo info, string file)
    {
        work.CompleteDownload(file, info.ToResponse([], file));
        return Task.CompletedTask;
    }

    public async Task<object?> RunCallbackAsync(Response response, CancellationToken cancellationToken)
    {
        // The exchange and the body stop at the deadline by themselves; a synchronous callback
        // does not (a thread cannot be stopped), so the deadline ends the task directly: the
        // callback runs on, its result is dropped, and its slot stays busy until it returns.
        RequestDeadline deadline = work.Deadline;
        CancellationTokenRegistration onDeadline = cancellationToken.UnsafeRegister(
            static state =>
            {
                var (work, deadline) = ((PendingWork, RequestDeadline))state!;
                work.Fail(deadline.TimedOut ? RequestDeadline.TimeoutException(deadline.Timeout) : new OperationCanceledException(work.CancellationToken));
            },
            (work, deadline));
        try
        {
            return await work.RunLocallyAsync(response, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await onDeadline.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task ResultAsync(ResponseInfo info, Response response, object? result)
    {
        if (work.Request.BodyMode == BodyMode.Download)
        {
            work.CompleteDownload(work.Request.DownloadPath, result);
        }
        else if (work.CompleteWithResult(result) && ReferenceEquals(result, response) && response.ContentStream is ResponseBodyStream live)
        {
            // The callback gave the live response itself to the caller: its place is held, as for a streamed response.
            work.Deadline.Disarm();
            Held = live.Lease;
        }

        return Task.CompletedTask;
    }

    public Task FailAsync(ErrorKind kind, Exception exception)
    {
        work.Fail(exception);
        return Task.CompletedTask;
    }

    /// <summary>A buffered body, read into the response's content.</summary>
    private sealed class ContentSink(PendingWork work, ResponseInfo info) : IBodySink
    {
        private readonly BufferSink _buffer = new(info.ContentLength);

        public Memory<byte> GetMemory() => _buffer.GetMemory();

        public ValueTask AdvanceAsync(int count) => _buffer.AdvanceAsync(count);

        public ValueTask CompleteAsync()
        {
            work.Complete(info.ToResponse(_buffer.ToArray()));
            return ValueTask.CompletedTask;
        }

        public void Dispose() => _buffer.Dispose();
    }
}
