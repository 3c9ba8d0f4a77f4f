using System.Buffers;
using Google.Protobuf;
using ProcessFutures.Infrastructure;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One request on a worker slot's stream: sends it (the work item, then its body), reads the
/// answer, and ends the caller's task with it. The worker is given a bounded time to end what
/// the caller no longer waits for: past its timeout, or after a cancellation or the early disposal
/// of a streamed response, it has <see cref="ServingWorker.StopGrace"/>, then it is killed and
/// replaced (a synchronous callback cannot be stopped any other way).
/// </summary>
internal sealed partial class RemoteCall
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Request bodies up to this size travel in the request's start frame; larger ones continue in chunks.</summary>
    private const int MaxInlineBody = 1024 * 1024;

    /// <summary>The largest start frame sent: the limit less room for the inline body's framing.</summary>
    private const int MaxStartFrame = MessageStream.MaxMessage - MaxInlineBody - 1024;

    private readonly ServingWorker _worker;
    private readonly SlotConnection _connection;
    private readonly long _callId;
    private PendingWork? _work;
    private Timer? _overrun;
    private Timer? _grace;
    private Task _cancelSent = Task.CompletedTask;
    private int _stopping;
    private bool _committed;
    private FileStream? _download;

    public RemoteCall(ServingWorker worker, SlotConnection connection, PendingWork work)
    {
        _worker = worker;
        _connection = connection;
        _work = work;
        _callId = worker.NextCallId();
    }

    private PendingWork Work => _work ?? throw new InvalidOperationException("The request was handed over.");

    public static TransferProgress ToTransferProgress(Progress progress) => new(
        progress.BytesSent,
        progress.TotalBytesToSend < 0 ? null : progress.TotalBytesToSend,
        progress.BytesReceived,
        progress.TotalBytesToReceive < 0 ? null : progress.TotalBytesToReceive);

    /// <summary>
    /// Runs the request to its answer's end (or to the hand-over of a streamed body, whose
    /// <see cref="Held"/> the slot then waits for); false when the stream cannot carry another request.
    /// </summary>
    public async Task<bool> RunAsync()
    {
        PendingWork work = Work;
        bool reusable = false;
        CancellationTokenRegistration onCancel = default;
        _worker.RequestStarted();
        work.WorkerProcessId = _worker.ProcessId;
        try
        {
            if (!await SendAsync(work).ConfigureAwait(false))
            {
                return true;
            }

            TimeSpan timeout = TimeSpan.FromTicks(work.Request.TimeoutTicks);
            if (work.Request.TimeoutTicks > 0)
            {
                _overrun = NonCapturingTimer.Start(static state => ((RemoteCall)state!).OnOverrun(), this, timeout + ServingWorker.StopGrace);
            }

            // From here the worker runs the request: the caller's cancellation ends the task at
            // once and asks the worker to abort; the slot stays busy until the worker answers.
            onCancel = work.CancellationToken.UnsafeRegister(static state => ((RemoteCall)state!).OnCallerCancel(), this);
            reusable = await ReadAnswerAsync(work).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await FailAsync(work, exception).ConfigureAwait(false);
        }
        finally
        {
            await onCancel.DisposeAsync().ConfigureAwait(false);
            await DisposeOverrunAsync().ConfigureAwait(false);
            if (Held is null)
            {
                await EndAsync(work).ConfigureAwait(false);
            }
        }

        return reusable;
    }

    /// <summary>For a streamed response handed to the caller: what the slot waits for before the stream is in step again.</summary>
    public StreamHold? Held { get; private set; }

    /// <summary>Sends the work item and the body; false (the work failed, the stream is untouched) when the request cannot be framed.</summary>
    private async Task<bool> SendAsync(PendingWork work)
    {
        HttpRequest request = work.Request;
        PreparedRequest prepared = work.Prepared;
        bool local = _worker.SharesFiles;
        request.TimeoutTicks = work.Deadline.Remaining is { } left && left != Timeout.InfiniteTimeSpan ? left.Ticks : 0;
        request.Jar.Clear();
        work.Session.Jar.CopyTo(request.Jar);
        request.DownloadPath = local ? work.DownloadTemporary ?? string.Empty : string.Empty;
        request.UploadPath = local ? prepared.UploadFrom ?? string.Empty : string.Empty;
        request.StreamBody = !local && prepared.UploadFrom is not null;

        if (!local && work.DownloadTemporary is { } temporary)
        {
            // A remote worker's body comes back on the stream into the caller's file: made before
            // anything is sent, so that a file that cannot be written fails the request as it would
            // in process, and nothing runs for it.
            try
            {
                _download = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                work.Fail(exception);
                return false;
            }
        }

        byte[]? content = prepared.Content;
        FileStream? upload = null;
        long length = content?.Length ?? 0;
        if (request.StreamBody)
        {
            // A remote worker never opens the caller's path: the caller's file travels on the stream.
            upload = new FileStream(prepared.UploadFrom!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            length = upload.Length;
        }

        try
        {
            var item = new WorkItem
            {
                CallId = _callId,
                Request = request,
                Callback = work.RemoteCallback is { } callback ? (local ? callback.Local : callback.Remote) : null,
                BodyLength = length,
            };
            int inline = (int)Math.Min(content?.Length ?? 0, MaxInlineBody);
            if (inline > 0)
            {
                item.InlineBody = UnsafeByteOperations.UnsafeWrap(content.AsMemory(0, inline));
            }

            int size = item.CalculateSize() - inline;
            if (size > MaxStartFrame)
            {
                work.Fail(new ArgumentException(
                    $"The request to '{Describe.Url(request.Url)}' carries {size} bytes of headers, cookies and URL, more than the {MaxStartFrame} a worker accepts in one frame."));
                return false;
            }

            _connection.BeginAnswer();
            await _connection.WriteAsync(new ClientFrame { Start = item }).ConfigureAwait(false);
            for (int offset = inline; content is not null && offset < content.Length; offset += ChunkSize)
            {
                // A request cancelled mid-upload breaks the stream (the worker then drops it).
                work.CancellationToken.ThrowIfCancellationRequested();
                await _connection.WriteAsync(new ClientFrame { Body = UnsafeByteOperations.UnsafeWrap(content.AsMemory(offset, Math.Min(ChunkSize, content.Length - offset))) }).ConfigureAwait(false);
            }

            if (upload is not null)
            {
                await StreamFileAsync(work, upload, length).ConfigureAwait(false);
            }
        }
        finally
        {
            if (upload is not null)
            {
                await upload.DisposeAsync().ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Sends the caller's file in body frames, one chunk at a time: the worker's pace (the stream's flow control) sets this one's.</summary>
    private async Task StreamFileAsync(PendingWork work, FileStream file, long length)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long sent = 0;
            while (sent < length)
            {
                work.CancellationToken.ThrowIfCancellationRequested();
                int read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkSize, length - sent)), work.CancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"The file '{work.Prepared.UploadFrom}' (RequestOptions.UploadFrom) ended after {sent} of its {length} bytes while it was being sent.");
                }

                await _connection.WriteAsync(new ClientFrame { Body = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) }).ConfigureAwait(false);
                sent += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task FailAsync(PendingWork work, Exception exception)
    {
        Exception? failure = await _worker.ExplainFailureAsync(work, exception).ConfigureAwait(false);
        if (failure is not null)
        {
            work.Fail(failure);
        }
    }

    /// <summary>
    /// The call's last step: the timers, the cancel in flight, and the download's temporary file
    /// when the task did not take it (the worker is done with it: it answered, or it is dead).
    /// </summary>
    private async Task EndAsync(PendingWork work)
    {
        if (Interlocked.Exchange(ref _grace, null) is { } grace)
        {
            await grace.DisposeAsync().ConfigureAwait(false);
        }

        await _cancelSent.ConfigureAwait(false);
        _worker.RequestEnded();
        if (_download is not null)
        {
            await _download.DisposeAsync().ConfigureAwait(false);
        }

        if (work.DownloadTemporary is { } temporary && !_committed)
        {
            BodyFiles.TryDelete(temporary);
        }

        // Every path above ends the work; this makes sure of it.
        work.EndIfStillRunning();
        work.RunEnded();
    }

    private void OnCallerCancel()
    {
        if (_work is { } work)
        {
            work.Fail(new OperationCanceledException(work.CancellationToken));
        }

        Stop("a cancelled request");
    }

    private void OnOverrun()
    {
        // The worker could not end the request in time (a synchronous callback cannot be stopped
        // inside .NET): this request times out, and its worker is killed and replaced.
        if (_work is not { } work)
        {
            return;
        }

        TimeSpan timeout = TimeSpan.FromTicks(work.Request.TimeoutTicks);
        work.Fail(RequestDeadline.TimeoutException(work.Deadline.Timeout));
        _worker.Kill($"a request ({work.Request.Method} {Describe.Url(work.Request.Url)}) overran its timeout of {timeout.TotalSeconds:0.###} s by {ServingWorker.StopGrace.TotalSeconds:0} s", WorkerExitReason.Timeout);
    }

    /// <summary>Asks the worker to abort this call, and gives it <see cref="ServingWorker.StopGrace"/> to end its answer.</summary>
    private void Stop(string what)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0 || _worker.IsDead)
        {
            return;
        }

        _cancelSent = _connection.CancelAsync(_callId);
        _grace = NonCapturingTimer.Start(
            static state =>
            {
                var (worker, what) = ((ServingWorker, string))state!;
                worker.Kill($"{what} did not end within {ServingWorker.StopGrace.TotalSeconds:0} s of being stopped", WorkerExitReason.Timeout);
            },
            (_worker, what),
            ServingWorker.StopGrace);
    }

    private async Task DisposeOverrunAsync()
    {
        if (Interlocked.Exchange(ref _overrun, null) is { } overrun)
        {
            await overrun.DisposeAsync().ConfigureAwait(false);
        }
    }
}
