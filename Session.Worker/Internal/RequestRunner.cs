using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// The one place a request runs, whichever executor runs it: in a worker process (its answer is
/// frames to the client) or in the caller's process (the thread pool; its answer is the caller's
/// task). It sends the request with its retries and redirects, then does what the body's mode asks
/// (read it whole within the session's cap, hand it over as it arrives, or save it to a file), runs
/// the callback on it if there is one, and answers; every failure is answered once, with the
/// exception HttpClient or the callback raised (a timeout as HttpClient's).
/// </summary>
internal static class RequestRunner
{
    public static async Task RunAsync(RequestRun run, IRequestAnswer answer)
    {
        HttpRequest request = run.Request;
        RequestDeadline deadline = run.Deadline;
        HttpResponseMessage? message = null;
        Response? response = null;
        bool handedOver = false;
        string? workerFile = null;
        try
        {
            ExchangeResult exchange = await ResilientExchange.SendAsync(run.Client, request, run.Body, run.Jar, run.Progress, deadline.Token).ConfigureAwait(false);
            message = exchange.Response;
            var info = new ResponseInfo(exchange, run.Jar.Recorded);
            run.Progress?.SetTotalToReceive(info.ContentLength);
            CancellationToken token = deadline.Token;
            if (!answer.HasCallback)
            {
                switch (request.BodyMode)
                {
                    case BodyMode.Stream:
                        // The caller sets the pace now: the clock stops.
                        deadline.Disarm();
                        Stream live = await message.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                        if (answer.InProcess)
                        {
                            var lease = new SlotLease(request.Url);
                            answer.HandOver(info, new ResponseBodyStream(message, live, run.Progress, lease), lease);
                            handedOver = true;
                            return;
                        }

                        using (IBodySink relay = answer.OpenBody(info, BodyUse.Streamed))
                        {
                            await PumpAsync(live, relay, long.MaxValue, run.Progress, token, streamed: true).ConfigureAwait(false);
                        }

                        return;

                    case BodyMode.Download when request.DownloadPath.Length > 0:
                        await SaveAsync(message, request.DownloadPath, run.Progress, token).ConfigureAwait(false);
                        run.Progress?.Complete();
                        await answer.DownloadedAsync(info, request.DownloadPath).ConfigureAwait(false);
                        return;

                    case BodyMode.Download:
                        using (IBodySink relay = answer.OpenBody(info, BodyUse.Download))
                        {
                            await PumpAsync(await message.Content.ReadAsStreamAsync(token).ConfigureAwait(false), relay, long.MaxValue, run.Progress, token).ConfigureAwait(false);
                        }

                        return;

                    default:
                        ThrowIfAnnouncedTooLarge(info, request.MaxBufferedContentBytes);
                        using (IBodySink body = answer.OpenBody(info, BodyUse.Buffered))
                        {
                            await PumpAsync(await message.Content.ReadAsStreamAsync(token).ConfigureAwait(false), body, request.MaxBufferedContentBytes, run.Progress, token).ConfigureAwait(false);
                        }

                        return;
                }
            }

            switch (request.BodyMode)
            {
                case BodyMode.Stream:
                    // The callback reads the body at its own pace, within the request's timeout.
                    response = info.ToResponse(new ResponseBodyStream(message, await message.Content.ReadAsStreamAsync(token).ConfigureAwait(false), run.Progress, new SlotLease(request.Url)));
                    message = null;
                    break;

                case BodyMode.Download when request.DownloadPath.Length > 0:
                    await SaveAsync(message, request.DownloadPath, run.Progress, token).ConfigureAwait(false);
                    run.Progress?.Complete();
                    response = info.ToResponse([], request.DownloadPath);
                    break;

                case BodyMode.Download:
                    // A remote worker: the body goes to the caller's file, and the callback reads a
                    // copy here, removed once it returns.
                    workerFile = Path.Combine(Path.GetTempPath(), $"processfutures-download-{Guid.NewGuid():N}.partial");
                    using (IBodySink relay = answer.OpenBody(info, BodyUse.DownloadBeforeResult))
                    {
                        await TeeAsync(message, relay, workerFile, run.Progress, token).ConfigureAwait(false);
                    }

                    response = info.ToResponse([], workerFile);
                    break;

                default:
                    ThrowIfAnnouncedTooLarge(info, request.MaxBufferedContentBytes);
                    using (var buffer = new BufferSink(info.ContentLength))
                    {
                        await PumpAsync(await message.Content.ReadAsStreamAsync(token).ConfigureAwait(false), buffer, request.MaxBufferedContentBytes, run.Progress, token).ConfigureAwait(false);
                        response = info.ToResponse(buffer.ToArray());
                    }

                    break;
            }

            object? result;
            try
            {
                result = await answer.RunCallbackAsync(response, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (token.IsCancellationRequested)
            {
                await FailAsync(answer, deadline, exception).ConfigureAwait(false);
                return;
            }
            catch (Exception exception)
            {
                if (!answer.Ended)
                {
                    await answer.FailAsync(ErrorKind.Callback, exception).ConfigureAwait(false);
                }

                return;
            }

            handedOver = ReferenceEquals(result, response) && response.IsStreamedBody();
            await answer.ResultAsync(info, response, result).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            await FailAsync(answer, deadline, exception).ConfigureAwait(false);
        }
        catch (Exception exception) when (!answer.Ended)
        {
            await answer.FailAsync(ErrorKind.Transport, exception).ConfigureAwait(false);
        }
        finally
        {
            if (!handedOver)
            {
                message?.Dispose();
                if (response is not null)
                {
                    // A streamed body the callback did not finish is abandoned here (its exchange aborted).
                    await response.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (workerFile is not null)
            {
                BodyFiles.TryDelete(workerFile);
            }
        }
    }

    /// <summary>
    /// Reads a body the caller does not read itself (buffered, relayed, or saved to a file): a body
    /// cut short fails the request as <see cref="HttpClient"/>'s own buffering does, with an
    /// <see cref="HttpRequestException"/> around the <see cref="HttpIOException"/> (a streamed
    /// body's reader gets the <see cref="HttpIOException"/> itself).
    /// </summary>
    public static async ValueTask<int> ReadBodyAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpIOException exception)
        {
            throw new HttpRequestException(exception.HttpRequestError, "Error while copying content to a stream.", exception);
        }
    }

    /// <summary>
    /// Copies <paramref name="body"/> into <paramref name="sink"/> (which its caller disposes),
    /// failing as soon as more than <paramref name="limit"/> bytes arrive. A body cut short fails
    /// as HttpClient's own buffering does (<see cref="ReadBodyAsync"/>), unless it is
    /// <paramref name="streamed"/> to a reader, who gets the <see cref="HttpIOException"/> itself.
    /// </summary>
    private static async Task PumpAsync(Stream body, IBodySink sink, long limit, ProgressTracker? progress, CancellationToken cancellationToken, bool streamed = false)
    {
        await using (body.ConfigureAwait(false))
        {
            long total = 0;
            while (true)
            {
                int read = streamed
                    ? await body.ReadAsync(sink.GetMemory(), cancellationToken).ConfigureAwait(false)
                    : await ReadBodyAsync(body, sink.GetMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    throw BodyLimits.TooLarge(limit, announced: null);
                }

                progress?.AddReceived(read);
                await sink.AdvanceAsync(read).ConfigureAwait(false);
            }
        }

        // The final counts go out before the answer ends (a worker's ride on its last frame).
        progress?.Complete();
        await sink.CompleteAsync().ConfigureAwait(false);
    }

    private static async Task SaveAsync(HttpResponseMessage message, string path, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        Stream body = await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await BodyFiles.SaveAsync(body, path, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Relays a body to the caller's file through <paramref name="relay"/>, and saves a copy to <paramref name="file"/> for the callback.</summary>
    private static async Task TeeAsync(HttpResponseMessage message, IBodySink relay, string file, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        var copy = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        ActiveDownloads.Add(file);
        try
        {
            await using (copy.ConfigureAwait(false))
            {
                await PumpAsync(await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), new TeeSink(relay, copy, cancellationToken), long.MaxValue, progress, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ActiveDownloads.Remove(file);
        }
    }

    private static void ThrowIfAnnouncedTooLarge(ResponseInfo info, long limit)
    {
        if (info.ContentLength > limit)
        {
            throw BodyLimits.TooLarge(limit, info.ContentLength);
        }
    }

    private static async Task FailAsync(IRequestAnswer answer, RequestDeadline deadline, OperationCanceledException exception)
    {
        if (!answer.Ended)
        {
            await answer.FailAsync(deadline.TimedOut ? ErrorKind.Timeout : ErrorKind.Canceled, deadline.Translate(exception)).ConfigureAwait(false);
        }
    }

    private static bool IsStreamedBody(this Response response) => response.ContentStream is ResponseBodyStream;

    /// <summary>Writes what a relay sends to a file as well.</summary>
    private sealed class TeeSink(IBodySink relay, FileStream copy, CancellationToken cancellationToken) : IBodySink
    {
        private Memory<byte> _current;

        public Memory<byte> GetMemory() => _current = relay.GetMemory();

        public async ValueTask AdvanceAsync(int count)
        {
            await copy.WriteAsync(_current[..count], cancellationToken).ConfigureAwait(false);
            await relay.AdvanceAsync(count).ConfigureAwait(false);
        }

        public async ValueTask CompleteAsync()
        {
            await copy.FlushAsync(cancellationToken).ConfigureAwait(false);
            await relay.CompleteAsync().ConfigureAwait(false);
        }

        public void Dispose()
        {
            // The relay is its caller's to dispose.
        }
    }
}
