using System.Buffers;
using System.Net;

namespace ProcessFutures.Internal;

/// <summary>
/// A request body streamed from a file (opened when it is sent) or from memory, counting what goes
/// out for progress reports. The process that asked for the request never reads the file: whoever
/// runs the request does.
/// </summary>
internal sealed class UploadContent : HttpContent
{
    private const int BufferSize = 128 * 1024;

    private readonly string? _path;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ProgressTracker? _progress;

    public UploadContent(string path, ProgressTracker? progress)
    {
        _path = path;
        _progress = progress;
        _progress?.SetTotalToSend(new FileInfo(path).Length);
    }

    public UploadContent(ReadOnlyMemory<byte> bytes, ProgressTracker? progress)
    {
        _bytes = bytes;
        _progress = progress;
        _progress?.SetTotalToSend(bytes.Length);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_path is null)
        {
            for (int offset = 0; offset < _bytes.Length; offset += BufferSize)
            {
                ReadOnlyMemory<byte> piece = _bytes.Slice(offset, Math.Min(BufferSize, _bytes.Length - offset));
                await stream.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                _progress?.AddSent(piece.Length);
            }

            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    _progress?.AddSent(read);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _path is null ? _bytes.Length : new FileInfo(_path).Length;
        return true;
    }
}
