using System.Security.Cryptography;
using ProcessFutures;

namespace Callbacks;

/// <summary>
/// Callbacks that reduce a response to a few bytes where it was received: in a remote worker, the
/// body stays in the worker's pod and only the result crosses back. Named static methods, as every
/// callback that runs in a worker must be.
/// </summary>
public static class BodyDigests
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Hashes the body with SHA-256 as it arrives, in constant memory. Ask for a streamed response
    /// (<c>RequestOptions.Stream = true</c>) so that the body is read here, not buffered first.
    /// </summary>
    /// <param name="response">The response; its body is read from <see cref="Response.ContentStream"/>.</param>
    /// <param name="cancellationToken">Cancelled when the request is cancelled or times out.</param>
    /// <returns>The body's length and its SHA-256, in lowercase hexadecimal.</returns>
    public static async Task<Digest> Sha256Async(Response response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[BufferSize];
        long length = 0;
        Stream body = response.ContentStream;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return new Digest(length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>What a response was, without its body: status, content type and length.</summary>
    /// <param name="response">The response, read whole.</param>
    /// <returns>The summary.</returns>
    public static Summary Summarize(Response response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.TryGetValue("Content-Type", out string? contentType);
        return new Summary(response.StatusCode, contentType, response.Content.LongLength, Environment.MachineName);
    }
}
