using System.Runtime.Serialization;
using MessagePack;
using ProcessFutures.Infrastructure;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>Reading a worker's answer: a body, a download or a callback's result; or a streamed body handed to the caller.</summary>
internal sealed partial class RemoteCall
{
    /// <summary>Reads one answer, up to its end frame, and ends the work with it; false if the stream cannot carry another request.</summary>
    private async Task<bool> ReadAnswerAsync(PendingWork work)
    {
        HttpRequest request = work.Request;
        bool download = request.BodyMode == BodyMode.Download;
        ResponseHead? head = null;
        BodyBuffer? buffer = null;
        bool reusable = true;
        try
        {
            while (true)
            {
                WorkerFrame frame = await _connection.NextAsync(_worker.ProcessId).ConfigureAwait(false);
                if (frame.Progress is { } progress)
                {
                    work.Progress?.Update(ToTransferProgress(progress));
                }

                if (frame.Draining)
                {
                    _worker.Draining();
                }

                if (frame.Cookies is { } cookies && Uri.TryCreate(cookies.Url, UriKind.Absolute, out Uri? setBy))
                {
                    foreach (string value in cookies.Values)
                    {
                        work.Session.Jar.SetCookies(setBy, value);
                    }
                }

                if (frame.Head is { } received)
                {
                    if (head is not null)
                    {
                        throw new InvalidDataException($"The {_worker.Name} sent a second response head in one answer.");
                    }

                    head = received;
                    _worker.Answered(head.ProcessId);
                    work.StatusCode = head.StatusCode;
                    work.WorkerProcessId = head.ProcessId;
                    if (request.BodyMode == BodyMode.Stream && !work.HasCallback && !work.IsEnded)
                    {
                        HandOver(work, head, frame);
                        return true;
                    }
                }

                if (frame.Error is { } error)
                {
                    reusable = error.Kind != ErrorKind.Rejected;
                    if (error.Recycle)
                    {
                        _worker.Retire($"a request on it ran out of memory ({error.Message})", WorkerExitReason.RecycleMemory);
                    }

                    work.Fail(RemoteExceptions.Create(error, work.RemoteCallback, _worker.ProcessId, work.Deadline.Timeout));
                }

                if (!frame.Download.IsEmpty)
                {
                    if (_download is null && !work.IsEnded)
                    {
                        throw new InvalidDataException($"The {_worker.Name} sent a file's chunk for a request that saves no file here.");
                    }

                    await WriteDownloadAsync(work, frame.Download.Memory).ConfigureAwait(false);
                }

                if (!frame.Chunk.IsEmpty)
                {
                    if (head is null)
                    {
                        throw new InvalidDataException($"The {_worker.Name} sent a chunk before the response head.");
                    }

                    buffer ??= new BodyBuffer(work.HasCallback ? -1 : head.ContentLength);
                    if (!work.HasCallback && buffer.Length + frame.Chunk.Length > request.MaxBufferedContentBytes)
                    {
                        throw new InvalidDataException($"The {_worker.Name} sent more body than MaxBufferedContentBytes allows.");
                    }

                    buffer.Write(frame.Chunk.Span);
                }

                if (frame.End)
                {
                    // The worker's last report rides on this frame: pass on the final counts before the task ends.
                    work.Progress?.Complete();
                    break;
                }
            }

            if (work.IsEnded)
            {
                return reusable;
            }

            if (head is null)
            {
                throw new InvalidDataException($"The {_worker.Name} ended an answer without a response.");
            }

            object? result = work.HasCallback ? ReadResult(work, buffer) : ToResponse(head, buffer?.ToArray() ?? [], download ? work.Prepared.DownloadTo : null);
            if (result is Failed)
            {
                return true;
            }

            if (!download)
            {
                if (work.HasCallback)
                {
                    work.CompleteWithResult(result);
                }
                else
                {
                    work.Complete((Response)result!);
                }

                return true;
            }

            if (_worker.SharesFiles && !head.Downloaded)
            {
                throw new InvalidDataException($"The {_worker.Name} ended a download without saying its file is complete.");
            }

            if (_download is not null)
            {
                try
                {
                    await _download.FlushAsync().ConfigureAwait(false);
                    await _download.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    work.Fail(exception);
                    return true;
                }
                finally
                {
                    _download = null;
                }
            }

            _committed = true;
            work.CompleteDownload(work.DownloadTemporary!, result);
            return true;
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>
    /// Writes a chunk of the body to the caller's file (memory stays at one chunk). A file that
    /// cannot be written (a full disk) fails the request with the error, as in process; the worker
    /// is asked to stop, and the rest of its answer is read and dropped.
    /// </summary>
    private async Task WriteDownloadAsync(PendingWork work, ReadOnlyMemory<byte> chunk)
    {
        if (_download is null)
        {
            return;
        }

        try
        {
            await _download.WriteAsync(chunk).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            FileStream failed = _download;
            _download = null;
            try
            {
                await failed.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The file is removed at the call's end; its last bytes do not matter now.
            }

            work.Fail(exception);
            Stop("a download whose file could not be written");
        }
    }

    /// <summary>The callback's result, read back as its declared type; <see cref="Failed"/> when it cannot be (the work then failed).</summary>
    private object? ReadResult(PendingWork work, BodyBuffer? buffer)
    {
        try
        {
            return MessagePackSerializer.Deserialize(work.RemoteResultType!, buffer?.ToArray() ?? [], ResultSerializer.Options);
        }
        catch (MessagePackSerializationException exception)
        {
            work.Fail(new SerializationException(
                $"The result of callback '{work.RemoteCallback!.DisplayName}' from {_worker.Name} could not be read as '{work.RemoteResultType}': {exception.Message}", exception));
            return Failed.Instance;
        }
    }

    /// <summary>
    /// A streamed response: the caller gets it at the headers, and its reads take the body off the
    /// stream. The slot waits on <see cref="Held"/>, which holds neither the caller's task nor the
    /// response, so a response dropped without being disposed can be collected and free the slot.
    /// </summary>
    private void HandOver(PendingWork work, ResponseHead head, WorkerFrame first)
    {
        // The caller sets the pace now: the clock stops, as it does in the worker.
        _ = DisposeOverrunAsync();
        var lease = new SlotLease(work.Request.Url);
        var content = new RemoteContentStream(_connection, first, _worker, $"{work.Request.Method} {Describe.Url(work.Request.Url)}", work.Progress, lease);
        if (!work.Complete(ToResponse(head, content)))
        {
            // Cancelled while the head was on its way: nobody will read it.
            content.Dispose();
        }

        Held = new StreamHold(this, lease);

        // What the call did for the work is done; the slot holds only the stream from here.
        work.EndIfStillRunning();
        work.RunEnded();
        _work = null;
    }

    private static Response ToResponse(ResponseHead head, byte[] content, string? downloadPath) =>
        new(head.StatusCode, head.ReasonPhrase.Length > 0 ? head.ReasonPhrase : null, new Uri(head.Url, UriKind.RelativeOrAbsolute), Headers(head), content, TimeSpan.FromTicks(head.ElapsedTicks), head.ProcessId, downloadPath, head.Attempts);

    private static Response ToResponse(ResponseHead head, Stream content) =>
        new(head.StatusCode, head.ReasonPhrase.Length > 0 ? head.ReasonPhrase : null, new Uri(head.Url, UriKind.RelativeOrAbsolute), Headers(head), content, TimeSpan.FromTicks(head.ElapsedTicks), head.ProcessId, head.Attempts);

    private static Dictionary<string, string> Headers(ResponseHead head)
    {
        var headers = new Dictionary<string, string>(head.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (Header header in head.Headers)
        {
            headers[header.Name] = header.Value;
        }

        return headers;
    }

    /// <summary>A streamed response's hold on its slot, and what the slot does once it lets go.</summary>
    internal sealed class StreamHold(RemoteCall call, SlotLease lease)
    {
        /// <summary>Waits until the stream is in step again (or broke); false when it cannot carry another request.</summary>
        public async Task<bool> ReleasedAsync()
        {
            ServingWorker worker = call._worker;
            LeaseEnd end;
            try
            {
                end = await lease.Ended.WaitAsync(worker.DeadToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The worker died (or was killed) while the caller held the body unread: the slot
                // cannot wait for a reader that may never come, or the worker's stop would wait too.
                end = LeaseEnd.Broken;
            }

            try
            {
                switch (end)
                {
                    case LeaseEnd.EndReached:
                        return true;

                    case LeaseEnd.Abandoned or LeaseEnd.Collected:
                        if (end == LeaseEnd.Collected)
                        {
                            SlotLog.StreamCollected(worker.Core.Logger, Describe.Url(lease.Url));
                        }

                        // Stop the worker's exchange, then read what is left of the answer (at most
                        // what is in flight) so the stream is in step for the next request.
                        call.Stop("a streamed response disposed before its end");
                        while (!(await call._connection.NextAsync(worker.ProcessId).ConfigureAwait(false)).End)
                        {
                        }

                        return true;

                    default:
                        return false;
                }
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or ObjectDisposedException or OperationCanceledException)
            {
                return false;
            }
            finally
            {
                if (Interlocked.Exchange(ref call._grace, null) is { } grace)
                {
                    await grace.DisposeAsync().ConfigureAwait(false);
                }

                await call._cancelSent.ConfigureAwait(false);
                worker.RequestEnded();
            }
        }
    }

    /// <summary>The result of a callback that could not be read back (the work failed already).</summary>
    private sealed class Failed
    {
        public static readonly Failed Instance = new();
    }
}
