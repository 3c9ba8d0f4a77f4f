using System.Diagnostics;
using System.Buffers;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs one request in the worker and writes its answer: sends it with the client for its
/// transport settings, then relays the body (buffered or streamed by the caller), saves it to a
/// file, or runs the named callback on it and sends back the callback's MessagePack result.
/// Every failure is answered as an error frame naming what failed: the exchange, the callback,
/// or the serialization of its result; the stream stays usable for the next request.
/// </summary>
internal sealed class RequestRunner(HttpClientCache clients, CallbackRegistry callbacks)
{
    public async Task RunAsync(WorkItem item, ReadOnlyMemory<byte>? body, AnswerWriter answer, CancellationToken cancellationToken)
    {
        HttpRequestData request = item.Request;
        ResolvedCallback? callback;
        HttpClient client;
        try
        {
            callback = item.Callback is null ? null : callbacks.Resolve(item.Callback);
            client = clients.Get(request.Transport);
        }
        catch (Exception exception)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Rejected, exception).ConfigureAwait(false);
            return;
        }

        using Activity? activity = WorkerTelemetry.Start(request);
        ProgressTracker? progress = request.ReportProgress ? new ProgressTracker(answer.PostProgress) : null;
        CookieJar jar = CookieJar.ForWorker(request.Jar);
        using var deadline = new RequestDeadline(request.Timeout, cancellationToken);
        Response response;
        try
        {
            ExchangeResult exchange = await ResilientExchange.SendAsync(client, request, body, jar, progress, deadline.Token).ConfigureAwait(false);
            if (callback is null && request.Mode != BodyMode.Download)
            {
                await RelayAsync(exchange, request, jar, answer, request.Mode == BodyMode.Buffer ? progress : null, deadline).ConfigureAwait(false);
                return;
            }

            response = await ReadAsync(exchange, request, progress, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!answer.Ended)
        {
            await answer.WriteErrorAsync(deadline.TimedOut ? WorkerErrorKind.Timeout : WorkerErrorKind.Canceled, deadline.Translate(exception)).ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (!answer.Ended)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Transport, exception).ConfigureAwait(false);
            return;
        }

        ResponseHead head = Head(response, jar, contentLength: 0);
        if (callback is null)
        {
            // A download: the file is complete and in place.
            answer.SetHead(head);
            await answer.WriteChunkAsync(ReadOnlyMemory<byte>.Empty, last: true).ConfigureAwait(false);
            return;
        }

        object? result;
        try
        {
            result = await callback.InvokeAsync(response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (deadline.Token.IsCancellationRequested)
        {
            await answer.WriteErrorAsync(deadline.TimedOut ? WorkerErrorKind.Timeout : WorkerErrorKind.Canceled, deadline.Translate(exception)).ConfigureAwait(false);
            return;
        }
        catch (Exception exception)
        {
            await answer.WriteErrorAsync(WorkerErrorKind.Callback, exception).ConfigureAwait(false);
            return;
        }
        finally
        {
            // A streamed body the callback did not finish is abandoned here (its exchange aborted).
            await response.DisposeAsync().ConfigureAwait(false);
        }

        await WriteResultAsync(callback, result, head, answer).ConfigureAwait(false);
    }

    private static async Task<Response> ReadAsync(ExchangeResult exchange, HttpRequestData request, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        if (request.Mode != BodyMode.Download)
        {
            return await ResponseReader.ReadAsync(exchange, request, progress, cancellationToken).ConfigureAwait(false);
        }

        ActiveDownloads.Add(request.DownloadTempPath!);
        try
        {
            return await ResponseReader.ReadAsync(exchange, request, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ActiveDownloads.Remove(request.DownloadTempPath!);
        }
    }

    /// <summary>
    /// Sends the body as it is read. For a buffered response the head rides with the first chunk
    /// and the session's cap is enforced here, before the bytes cross; for a streamed one the head
    /// goes at once (the caller's task completes at the headers), the clock stops, and the caller's
    /// reading paces this loop through the stream's flow control.
    /// </summary>
    private static async Task RelayAsync(ExchangeResult exchange, HttpRequestData request, CookieJar jar, AnswerWriter answer, ProgressTracker? progress, RequestDeadline deadline)
    {
        using HttpResponseMessage message = exchange.Response;
        long? announced = message.Content.Headers.ContentLength;
        bool streamed = request.Mode == BodyMode.Stream;
        if (!streamed && announced > request.MaxBufferedContentBytes)
        {
            throw BodyLimits.TooLarge(request.MaxBufferedContentBytes, announced);
        }

        progress?.SetTotalToReceive(announced);
        ResponseHead head = Head(exchange, HttpExchange.CollectHeaders(message), jar, announced ?? -1);
        if (streamed)
        {
            deadline.Disarm();
            await answer.WriteHeadAsync(head).ConfigureAwait(false);
        }
        else
        {
            answer.SetHead(head);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(WireLimits.ChunkSize);
        try
        {
            Stream stream = await message.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (stream)
            {
                long total = 0;
                while (true)
                {
                    // Buffered: fill whole chunks (fewer frames); streamed: pass on what arrives, as it arrives.
                    Memory<byte> target = buffer.AsMemory(0, WireLimits.ChunkSize);
                    int read = streamed ? await stream.ReadAsync(target, deadline.Token).ConfigureAwait(false) : await FillAsync(stream, target, deadline.Token).ConfigureAwait(false);
                    total += read;
                    if (!streamed && total > request.MaxBufferedContentBytes)
                    {
                        throw BodyLimits.TooLarge(request.MaxBufferedContentBytes, announced: null);
                    }

                    bool last = streamed ? read == 0 : read < WireLimits.ChunkSize;
                    progress?.AddReceived(read);
                    if (last)
                    {
                        progress?.Complete();
                    }

                    await answer.WriteChunkAsync(buffer.AsMemory(0, read), last).ConfigureAwait(false);
                    if (last)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a whole chunk, or what is left of the body; a body cut short fails as in <see cref="ResponseReader.ReadBodyAsync"/>.</summary>
    private static async Task<int> FillAsync(Stream stream, Memory<byte> target, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < target.Length)
        {
            int read = await ResponseReader.ReadBodyAsync(stream, target[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private static async Task WriteResultAsync(ResolvedCallback callback, object? result, ResponseHead head, AnswerWriter answer)
    {
        using var serialized = new BodyBuffer();
        try
        {
            MessagePack.MessagePackSerializer.Serialize(callback.ResultType, serialized, result, ContractSerializer.Options);
        }
        catch (Exception exception)
        {
            // MessagePack wraps the reason ("Failed to serialize T value"): send the reason.
            await answer.WriteErrorAsync(WorkerErrorKind.Serialization, exception.GetBaseException()).ConfigureAwait(false);
            return;
        }

        answer.SetHead(head);
        long left = serialized.Length;
        foreach (ReadOnlyMemory<byte> segment in serialized.Segments)
        {
            for (int offset = 0; offset < segment.Length; offset += WireLimits.ChunkSize)
            {
                ReadOnlyMemory<byte> chunk = segment.Slice(offset, Math.Min(WireLimits.ChunkSize, segment.Length - offset));
                left -= chunk.Length;
                await answer.WriteChunkAsync(chunk, last: left == 0).ConfigureAwait(false);
            }
        }
    }

    private static ResponseHead Head(ExchangeResult exchange, IReadOnlyDictionary<string, string> headers, CookieJar jar, long contentLength) => new()
    {
        StatusCode = (int)exchange.Response.StatusCode,
        ReasonPhrase = exchange.Response.ReasonPhrase,
        Url = exchange.Url.AbsoluteUri,
        Headers = [.. headers],
        SetCookies = jar.Recorded,
        Elapsed = exchange.Elapsed,
        ProcessId = Environment.ProcessId,
        ContentLength = contentLength,
        Attempts = exchange.Attempts,
    };

    private static ResponseHead Head(Response response, CookieJar jar, long contentLength) => new()
    {
        StatusCode = response.StatusCode,
        ReasonPhrase = response.ReasonPhrase,
        Url = response.Url.AbsoluteUri,
        Headers = [.. response.Headers],
        SetCookies = jar.Recorded,
        Elapsed = response.Elapsed,
        ProcessId = Environment.ProcessId,
        ContentLength = contentLength,
        DownloadPath = response.DownloadPath,
        Attempts = response.Attempts,
    };
}
