using System.Net;
using System.Threading.Channels;

namespace ProcessFutures.Internal;

/// <summary>
/// A request body that the caller streams to a remote worker from its own file, in <c>body</c>
/// frames (the worker never opens a path a client names). The serve loop hands each chunk over
/// with <see cref="WriteAsync"/>, which waits while one chunk is already waiting: at most two
/// chunks are held (one waiting, one being sent), and a slow server slows the caller's reads through
/// the stream's flow control. Sent once: its Content-Length is the file's, and it cannot be sent
/// again by a retry or to follow a 307/308 redirect.
/// </summary>
internal sealed class StreamedUpload(long length) : RequestBody
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private int _created;

    public override bool CanResend => false;

    public override bool IsFile => true;

    public long Length => length;

    /// <summary>Takes the next chunk; returns at once, dropping it, once the request no longer reads its body.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        try
        {
            await _chunks.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The request ended (answered, failed, cancelled): the rest of the body is not wanted.
        }
    }

    /// <summary>The request no longer reads its body (it ended); chunks still to come are dropped.</summary>
    public void Close() => _chunks.Writer.TryComplete();

    public override HttpContent CreateContent(ProgressTracker? progress)
    {
        if (Interlocked.Exchange(ref _created, 1) != 0)
        {
            throw new HttpRequestException(
                HttpRequestError.Unknown,
                "The request body is a file streamed from the caller through a remote worker, and it was already sent once: it cannot be sent again (to follow a 307 or 308 redirect, or to retry). Send such a request without redirects, or from a local executor.");
        }

        progress?.SetTotalToSend(length);
        return new Content(this, progress);
    }

    private sealed class Content(StreamedUpload upload, ProgressTracker? progress) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            long sent = 0;
            ChannelReader<ReadOnlyMemory<byte>> chunks = upload._chunks.Reader;
            while (sent < upload.Length)
            {
                if (!await chunks.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new IOException($"The caller's stream ended after {sent} of the body's {upload.Length} bytes.");
                }

                while (chunks.TryRead(out ReadOnlyMemory<byte> chunk))
                {
                    await stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                    sent += chunk.Length;
                    progress?.AddSent(chunk.Length);
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = upload.Length;
            return true;
        }
    }
}
