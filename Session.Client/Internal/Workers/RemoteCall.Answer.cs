using System.Runtime.Serialization;
using MessagePack;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>Reading a worker's answer: a buffered body or a callback's result, or a streamed body handed to the caller.</summary>
internal sealed partial class RemoteCall
{
    /// <summary>Reads one answer, up to its end frame, and ends the work with it; false if the stream cannot carry another request.</summary>
    private async Task<bool> ReadAnswerAsync()
    {
        var reader = new ReplyReader(_stream.Replies, _worker.Host, _work, _worker.ProcessId);
        using var head = new HeadAssembler();
        BodyBuffer? buffer = null;
        bool reusable = true;
        try
        {
            while (true)
            {
                WorkerFrame frame = await reader.NextAsync().ConfigureAwait(false);
                if (frame.Draining)
                {
                    _worker.Draining();
                }

                if (head.Add(frame, _worker.ProcessId))
                {
                    _worker.Answered(head.Head!);
                    _work.StatusCode = head.Head!.StatusCode;
                    _work.WorkerProcessId = head.Head.ProcessId;
                    foreach (CookiesSet set in head.Head!.SetCookies)
                    {
                        var url = new Uri(set.Url);
                        foreach (string value in set.Values)
                        {
                            _work.Session.Jar.SetCookies(url, value);
                        }
                    }

                    if (_work.Request.Mode == BodyMode.Stream && !_work.HasCallback && !_work.IsEnded)
                    {
                        return await HandOverAsync(reader, head.Head, frame).ConfigureAwait(false);
                    }

                    buffer = new BodyBuffer(_work.HasCallback ? -1 : head.Head.ContentLength);
                }

                if (!frame.Error.IsEmpty)
                {
                    WorkerError error = ContractSerializer.FromBytes<WorkerError>(frame.Error.Memory);
                    reusable = error.Kind != WorkerErrorKind.Rejected;
                    if (error.Recycle)
                    {
                        _worker.Retire($"a request on it ran out of memory ({error.Message})", WorkerExitReason.RecycleMemory);
                    }

                    _work.Fail(RemoteExceptions.Create(error, _work.RemoteCallback, _worker.ProcessId));
                }

                if (!frame.Chunk.IsEmpty)
                {
                    if (buffer is null)
                    {
                        throw new InvalidDataException($"{_worker.Name} sent a chunk before the response head.");
                    }

                    if (!_work.HasCallback && buffer.Length + frame.Chunk.Length > _work.Request.MaxBufferedContentBytes)
                    {
                        throw new InvalidDataException($"{_worker.Name} sent more body than MaxBufferedContentBytes allows.");
                    }

                    buffer.Write(frame.Chunk.Span);
                }

                if (frame.End)
                {
                    // The worker's last report rides on this frame: pass on the final counts before the task ends.
                    _work.Progress?.Complete();
                    break;
                }
            }

            if (_work.IsEnded)
            {
                return reusable;
            }

            if (head.Head is null || buffer is null)
            {
                throw new InvalidDataException($"{_worker.Name} ended an answer without a response.");
            }

            if (!_work.HasCallback)
            {
                _work.Complete(head.Head.ToResponse(buffer.ToArray()));
                return true;
            }

            object? result;
            try
            {
                result = MessagePackSerializer.Deserialize(_work.RemoteResultType!, buffer.ToArray(), ContractSerializer.Options);
            }
            catch (MessagePackSerializationException exception)
            {
                _work.Fail(new SerializationException(
                    $"The result of callback '{_work.RemoteCallback!.DisplayName}' from {_worker.Name} could not be read as '{_work.RemoteResultType}': {exception.Message}", exception));
                return true;
            }

            _work.CompleteWithResult(result);
            return true;
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>
    /// A streamed response: the caller gets it at the headers, and its reads take the body off the
    /// stream. The slot is held until the body is read, the response disposed, or the stream breaks.
    /// </summary>
    private async Task<bool> HandOverAsync(ReplyReader reader, ResponseHead head, WorkerFrame first)
    {
        // The caller sets the pace now: the clock stops, as it does in the worker.
        await DisposeOverrunAsync().ConfigureAwait(false);
        var content = new RemoteContentStream(reader, first, _work.Progress, _worker.ProcessId);
        var response = new Response(head.StatusCode, head.ReasonPhrase, new Uri(head.Url), head.HeaderDictionary(), content, head.Elapsed, head.ProcessId, head.Attempts);
        if (!_work.Complete(response))
        {
            // Cancelled while the head was on its way: nobody will read it.
            await content.DisposeAsync().ConfigureAwait(false);
        }

        RemoteContentStream.StreamEnd end;
        try
        {
            end = await content.Finished.WaitAsync(_worker.DeadToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The worker died (or was killed) while the caller held the body unread: the slot
            // cannot wait for a reader that may never come, or the worker's stop would wait too.
            end = RemoteContentStream.StreamEnd.Broken;
        }

        switch (end)
        {
            case RemoteContentStream.StreamEnd.EndReached:
                return true;

            case RemoteContentStream.StreamEnd.Abandoned:
                // Stop the worker's exchange, then read what is left of the answer (at most the
                // stream window, already in flight) so the stream is in step for the next request.
                Stop("a streamed response disposed before its end");
                while (!(await reader.NextAsync().ConfigureAwait(false)).End)
                {
                }

                return true;

            default:
                Exception broken = content.BrokenBy ?? new IOException($"The {_worker.Name} was lost while the response body was being streamed.");
                content.Fail(await _worker.ExplainFailureAsync(_work, broken).ConfigureAwait(false) ?? broken);
                return false;
        }
    }
}
