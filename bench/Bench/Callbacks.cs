using System.Security.Cryptography;
using ProcessFutures;

namespace Bench;

/// <summary>
/// Callbacks that run inside a worker process: named static methods whose results MessagePack can
/// carry. Remote workers find them by assembly name: Bench.dll is in their directory (they run
/// the ProcessFutures.dll beside it).
/// </summary>
public static class Callbacks
{
    /// <summary>Under the large object heap threshold, as the library's own chunks are.</summary>
    private const int ReadSize = 64 * 1024;

    /// <summary>Hashes the body where it was downloaded: only 64 hex characters come back, not the body.</summary>
    public static string Sha256(Response response) => Convert.ToHexStringLower(SHA256.HashData(response.Content));

    /// <summary><see cref="Sha256"/>, and the pid of the worker that hashed the body (whose first answer ends a recycle).</summary>
    public static HashedBody Sha256AndProcessId(Response response) => new(Sha256(response), Environment.ProcessId);

    /// <summary>Where the callback ran: the pid of the worker process (a remote worker's, when it ran there).</summary>
    public static int ProcessId(Response response) => Environment.ProcessId;

    /// <summary>
    /// Hashes a streamed body (<c>RequestOptions.Stream</c>) as it arrives, in the worker, in
    /// constant memory: a body of any size, and only 64 hex characters come back.
    /// </summary>
    public static Task<string> Sha256StreamAsync(Response response, CancellationToken cancellationToken) =>
        HashAsync(response.ContentStream, cancellationToken);

    /// <summary>The SHA-256 of what is left of <paramref name="stream"/>, read in 64 KiB pieces, in lower-case hex.</summary>
    public static async Task<string> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[ReadSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
