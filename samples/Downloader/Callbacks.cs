using System.Security.Cryptography;
using ProcessFutures;

namespace Downloader;

/// <summary>
/// The callback each download runs where it was downloaded: in a worker process with a process
/// pool. A named static method (a worker can only find a method by name) whose result MessagePack
/// can carry; an async one, the shape <c>static async Task&lt;T&gt; M(Response, CancellationToken)</c>.
/// </summary>
public static class Callbacks
{
    /// <summary>Big enough for fast sequential reads, small enough to stay off the large object heap.</summary>
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>
    /// Reads the saved file back and hashes it in the worker, so its bytes never reach the app;
    /// only 64 hex digits return. A response that is not a success is not the file asked for: its
    /// saved body is deleted and the download fails, with the status, through
    /// <see cref="Response.EnsureSuccessStatusCode"/>.
    /// </summary>
    public static async Task<SavedFile> HashSavedFileAsync(Response response, CancellationToken cancellationToken)
    {
        string path = response.DownloadPath
            ?? throw new InvalidOperationException($"The response from '{response.Url}' has no DownloadPath: request it with RequestOptions.DownloadTo.");
        if (!response.IsSuccessStatusCode)
        {
            File.Delete(path);
            response.EnsureSuccessStatusCode();
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[ReadBufferSize];
        long length = 0;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file)
        {
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }

        return new SavedFile(length, Convert.ToHexStringLower(hash.GetHashAndReset()), Environment.ProcessId);
    }
}
