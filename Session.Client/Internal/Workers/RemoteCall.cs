using Google.Protobuf;
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
    private readonly ServingWorker _worker;
    private readonly SlotStream _stream;
    private readonly PendingWork _work;
    private readonly long _callId;
    private Timer? _overrun;
    private Timer? _grace;
    private Task _cancelSent = Task.CompletedTask;
    private int _stopping;

    public RemoteCall(ServingWorker worker, SlotStream stream, PendingWork work)
    {
        _worker = worker;
        _stream = stream;
        _work = work;
        _callId = worker.NextCallId();
    }

    /// <summary>Runs the request to its end; false when the stream cannot carry another request.</summary>
    public async Task<bool> RunAsync()
    {
        bool reusable = false;
        CancellationTokenRegistration onCancel = default;
        _worker.RequestStarted();
        _work.WorkerProcessId = _worker.ProcessId;
        try
        {
            if (!await SendAsync().ConfigureAwait(false))
            {
                return true;
            }

            TimeSpan timeout = _work.Request.Timeout;
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                _overrun = NonCapturingTimer.Start(static state => ((RemoteCall)state!).OnOverrun(), this, timeout + ServingWorker.StopGrace);
            }

            // From here the worker runs the request: the caller's cancellation ends the task at
            // once and asks the worker to abort; the slot stays busy until the worker answers.
            onCancel = _work.CancellationToken.UnsafeRegister(static state => ((RemoteCall)state!).OnCallerCancel(), this);
            reusable = await ReadAnswerAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await FailAsync(exception).ConfigureAwait(false);
        }
        finally
        {
            await onCancel.DisposeAsync().ConfigureAwait(false);
            await DisposeTimersAsync().ConfigureAwait(false);
            await _cancelSent.ConfigureAwait(false);
            _worker.RequestEnded();

            // Every path above ends the work; this makes sure of it.
            _work.EndIfStillRunning(new InvalidOperationException("The request ended without a result; this is a bug in ProcessFutures."));
        }

        return reusable;
    }

    /// <summary>Sends the work item and the body; false (the work failed, the stream is untouched) when the request cannot be framed.</summary>
    private async Task<bool> SendAsync()
    {
        HttpRequestData request = _work.Request;
        byte[]? content = request.Content;
        request.Jar = _work.Session.Jar.Snapshot();
        var item = new WorkItem { Request = request, ContentLength = content?.Length ?? 0, Callback = _work.RemoteCallback, CallId = _callId };
        byte[] start = ContractSerializer.ToBytes(item);
        if (start.Length > WireLimits.MaxStartFrame)
        {
            _work.Fail(new ArgumentException(
                $"The request to '{Describe.Url(request.Url)}' carries {start.Length} bytes of headers, cookies and URL, more than the {WireLimits.MaxStartFrame} a worker accepts in one frame."));
            return false;
        }

        // The common case is one message: the work item with the whole body.
        var first = new ClientFrame { Start = UnsafeByteOperations.UnsafeWrap(start) };
        int inline = Math.Min(content?.Length ?? 0, WireLimits.MaxInlineBody);
        if (inline > 0)
        {
            first.Body = UnsafeByteOperations.UnsafeWrap(content.AsMemory(0, inline));
        }

        await _stream.WriteAsync(first).ConfigureAwait(false);
        for (int offset = inline; content is not null && offset < content.Length; offset += WireLimits.ChunkSize)
        {
            // A request cancelled mid-upload breaks the stream (the worker then drops it).
            _work.CancellationToken.ThrowIfCancellationRequested();
            await _stream.WriteAsync(new ClientFrame { Body = UnsafeByteOperations.UnsafeWrap(content.AsMemory(offset, Math.Min(WireLimits.ChunkSize, content.Length - offset))) }).ConfigureAwait(false);
        }

        return true;
    }

    private async Task FailAsync(Exception exception)
    {
        Exception? failure = await _worker.ExplainFailureAsync(_work, exception).ConfigureAwait(false);
        if (failure is null)
        {
            return;
        }

        if (_work.Request.DownloadTempPath is { } temporary)
        {
            // The worker may have died mid-download: its temporary file is this process's to remove now.
            ResponseReader.TryDelete(temporary);
        }

        _work.Fail(failure);
    }

    private void OnCallerCancel()
    {
        _work.Fail(new OperationCanceledException(_work.CancellationToken));
        Stop("a cancelled request");
    }

    private void OnOverrun()
    {
        // The worker could not end the request in time (a synchronous callback cannot be stopped
        // inside .NET): this request times out, and its worker is killed and replaced.
        TimeSpan timeout = _work.Request.Timeout;
        _work.Fail(RequestDeadline.TimeoutException(timeout));
        _worker.Kill($"a request ({_work.Request.Method} {Describe.Url(_work.Request.Url)}) overran its timeout of {timeout.TotalSeconds:0.###} s by {ServingWorker.StopGrace.TotalSeconds:0} s", WorkerExitReason.Timeout);
    }

    /// <summary>Asks the worker to abort this call, and gives it <see cref="ServingWorker.StopGrace"/> to end its answer.</summary>
    private void Stop(string what)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0 || _worker.IsDead)
        {
            return;
        }

        _cancelSent = _stream.CancelAsync(_callId);
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

    private async Task DisposeTimersAsync()
    {
        await DisposeOverrunAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _grace, null) is { } grace)
        {
            await grace.DisposeAsync().ConfigureAwait(false);
        }
    }
}
