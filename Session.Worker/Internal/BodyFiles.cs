using System.Buffers;
using System.Security.Cryptography;

namespace ProcessFutures.Internal;

/// <summary>
/// The files of downloads: filled under a temporary name beside the destination (so that the
/// caller's final move is a rename), never moved into place here: the caller does that as it
/// completes the task, so a task that failed leaves the destination untouched.
/// </summary>
internal static class BodyFiles
{
    private const int CopyBufferSize = 128 * 1024;

    /// <summary>A temporary name beside <paramref name="destination"/>, in the same directory.</summary>
    public static string TemporaryBeside(string destination) =>
        Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.partial");

    /// <summary>
    /// Writes <paramref name="body"/> to a new file at <paramref name="path"/>, flushed and closed
    /// when this returns. On any failure, cancellation included, the file is removed.
    /// </summary>
    public static async Task SaveAsync(Stream body, string path, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        bool created = false;
        ActiveDownloads.Add(path);
        try
        {
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            created = true;
            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await RequestRunner.ReadBodyAsync(body, buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    progress?.AddReceived(read);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            created = false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ActiveDownloads.Remove(path);
            if (created)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>Moves a complete temporary file to its destination, replacing what is there.</summary>
    public static void Commit(string temporary, string destination) => File.Move(temporary, destination, overwrite: true);

    /// <summary>Removes a file if it is there; never throws.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }
}
