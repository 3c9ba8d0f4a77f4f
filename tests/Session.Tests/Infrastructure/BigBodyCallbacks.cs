using System.Security.Cryptography;
using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>Callbacks for large bodies: they read the body as a stream or from its file, never whole. Named static methods, so they run in workers too.</summary>
public static class BigBodyCallbacks
{
    /// <summary>Hashes the body as it arrives (a streamed response), in constant memory.</summary>
    public static async Task<Digest> HashStreamAsync(Response response, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[128 * 1024];
        long length = 0;
        Stream body = response.ContentStream;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }

        return new Digest(length, Convert.ToHexStringLower(hash.GetHashAndReset()), Environment.ProcessId);
    }

    /// <summary>Hashes the file a download was saved to.</summary>
    public static async Task<Digest> HashDownloadAsync(Response response, CancellationToken cancellationToken)
    {
        string path = response.DownloadPath ?? throw new InvalidOperationException("Not a download.");
        await using var file = File.OpenRead(path);
        byte[] hash = await SHA256.HashDataAsync(file, cancellationToken);
        return new Digest(file.Length, Convert.ToHexStringLower(hash), Environment.ProcessId);
    }

    /// <summary>Reads the first bytes of a streamed body, then returns without reading the rest.</summary>
    public static async Task<int> ReadsALittle(Response response, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1024];
        return await response.ContentStream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
    }

    /// <summary>Waits on its token for ever: ends only when the request is cancelled or times out.</summary>
    public static async Task<int> WaitsForItsToken(Response response, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return 0;
    }

    /// <summary>This process's peak resident size (VmHWM), in bytes.</summary>
    public static long PeakResident(Response response) => PeakMemory.Peak(Environment.ProcessId);

    /// <summary>This process's id, from an asynchronous callback.</summary>
    public static Task<int> ProcessIdAsync(Response response, CancellationToken cancellationToken) => Task.FromResult(Environment.ProcessId);
}
