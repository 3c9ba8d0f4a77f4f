using System.Buffers;

namespace ProcessFutures.Internal;

/// <summary>
/// Turns an exchange into a <see cref="Response"/> the way the request asked (its
/// <see cref="BodyMode"/>): the body read whole (up to the session's cap, checked against the
/// announced length first and the bytes read after), handed over as a stream, or saved to a file
/// through a temporary one. Run by the thread pool and, for callbacks, by workers.
/// </summary>
internal static class ResponseReader
{
    private const int CopyBufferSize = 128 * 1024;

    /// <summary>Makes the response; takes ownership of the exchange's message (a streamed response owns it until disposed).</summary>
    public static async Task<Response> ReadAsync(ExchangeResult exchange, HttpRequestData request, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        HttpResponseMessage message = exchange.Response;
        bool handedOver = false;
        try
        {
            Dictionary<string, string> headers = HttpExchange.CollectHeaders(message);
            long? announced = message.Content.Headers.ContentLength;
            progress?.SetTotalToReceive(announced);
            int status = (int)message.StatusCode;
            switch (request.Mode)
            {
                case BodyMode.Stream:
                    Stream live = await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    var body = new ResponseBodyStream(message, live, progress);
                    handedOver = true;
                    return new Response(status, message.ReasonPhrase, exchange.Url, headers, body, exchange.Elapsed, Environment.ProcessId, exchange.Attempts);

                case BodyMode.Download:
                    Stream source = await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    await using (source.ConfigureAwait(false))
                    {
                        await DownloadAsync(source, request.DownloadPath!, request.DownloadTempPath!, progress, cancellationToken).ConfigureAwait(false);
                    }

                    progress?.Complete();
                    return new Response(status, message.ReasonPhrase, exchange.Url, headers, [], exchange.Elapsed, Environment.ProcessId, request.DownloadPath, exchange.Attempts);

                default:
                    byte[] content = await BufferAsync(message, request.MaxBufferedContentBytes, progress, cancellationToken).ConfigureAwait(false);
                    progress?.Complete();
                    return new Response(status, message.ReasonPhrase, exchange.Url, headers, content, exchange.Elapsed, Environment.ProcessId, attempts: exchange.Attempts);
            }
        }
        finally
        {
            if (!handedOver)
            {
                message.Dispose();
            }
        }
    }

    /// <summary>Reads the whole body, failing as soon as its announced length or the bytes read pass <paramref name="limit"/>.</summary>
    public static async Task<byte[]> BufferAsync(HttpResponseMessage message, long limit, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        long? announced = message.Content.Headers.ContentLength;
        if (announced > limit)
        {
            throw BodyLimits.TooLarge(limit, announced);
        }

        using var buffer = new BodyBuffer(announced ?? -1);
        Stream stream = await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                Memory<byte> target = buffer.GetMemory();
                int read = await ReadBodyAsync(stream, target, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (buffer.Length + read > limit)
                {
                    throw BodyLimits.TooLarge(limit, announced: null);
                }

                buffer.Advance(read);
                progress?.AddReceived(read);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="body"/> to <paramref name="temporaryPath"/>, then moves it to
    /// <paramref name="path"/> (replacing what is there). On any failure, cancellation included,
    /// the temporary file is removed and nothing is left under <paramref name="path"/> by this call.
    /// </summary>
    public static async Task DownloadAsync(Stream body, string path, string temporaryPath, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        bool created = false;
        try
        {
            var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            created = true;
            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await ReadBodyAsync(body, buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    progress?.AddReceived(read);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporaryPath, path, overwrite: true);
            created = false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (created)
            {
                TryDelete(temporaryPath);
            }
        }
    }

    /// <summary>
    /// Reads a body the caller does not read itself (buffered, or saved to a file): a body cut
    /// short fails the request as <see cref="HttpClient"/>'s own buffering does, with an
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

    /// <summary>Removes a download's temporary file if it is there; never throws.</summary>
    public static void TryDelete(string temporaryPath)
    {
        try
        {
            File.Delete(temporaryPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }
}
