using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Cryptography;
using HttpBin.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HttpBin;

/// <summary>Bodies of any size, generated as they are sent and hashed as they arrive: none is ever held whole, past the small ones cached.</summary>
public sealed partial class HttpBinServer
{
    /// <summary>Bodies up to this size are generated once and kept; larger ones are generated as they are sent.</summary>
    private const int CachedBodyLimit = 16 * 1024 * 1024;

    /// <summary>The most bytes the cache of small bodies holds, whatever lengths and seeds are asked for; past it, bodies are generated each time.</summary>
    private const long CacheBudget = 256L * 1024 * 1024;

    private readonly ConcurrentDictionary<(long Length, ulong Seed), byte[]> _bodies = new();
    private long _cachedBytes;

    private void MapBodies(WebApplication app)
    {
        app.MapMethods("/bytes/{n:long}", [HttpMethods.Get, HttpMethods.Head], (HttpContext c, long n) => WriteBytesAsync(c, n, knownLength: true));
        app.MapGet("/stream-bytes/{n:long}", (HttpContext c, long n) => WriteBytesAsync(c, n, knownLength: false));
        app.MapMethods("/upload/sha256", [HttpMethods.Post, HttpMethods.Put], HashUploadAsync);
    }

    /// <summary>/bytes/{n} (with Content-Length) and /stream-bytes/{n} (chunked): n deterministic bytes for ?seed=.</summary>
    private async Task WriteBytesAsync(HttpContext context, long length, bool knownLength)
    {
        if (length < 0)
        {
            await QueryValues.BadRequest($"The length must be 0 or more, not '{length}'.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        ulong seed = QueryValues.Seed(context);
        context.Response.ContentType = "application/octet-stream";
        if (knownLength)
        {
            context.Response.ContentLength = length;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            // Headers only: Kestrel would discard a body anyway, but generating it first would take seconds.
            return;
        }

        byte[]? cached = CachedBody(length, seed);
        if (cached is not null)
        {
            for (int offset = 0; offset < cached.Length; offset += DeterministicBytes.PieceSize)
            {
                ReadOnlyMemory<byte> piece = cached.AsMemory(offset, Math.Min(DeterministicBytes.PieceSize, cached.Length - offset));
                FlushResult flushed = await context.Response.BodyWriter.WriteAsync(piece, context.RequestAborted).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return;
                }
            }

            return;
        }

        await WriteGeneratedAsync(context.Response.BodyWriter, new DeterministicBytes(seed), length, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The whole body when it is small enough to keep (made on first use), else null.</summary>
    private byte[]? CachedBody(long length, ulong seed)
    {
        if (length > CachedBodyLimit)
        {
            return null;
        }

        if (_bodies.TryGetValue((length, seed), out byte[]? body))
        {
            return body;
        }

        // Reserve the bytes before making the body, so concurrent first requests cannot overrun the budget.
        if (Interlocked.Add(ref _cachedBytes, length) > CacheBudget)
        {
            Interlocked.Add(ref _cachedBytes, -length);
            return null;
        }

        body = DeterministicBytes.Create((int)length, seed);
        if (!_bodies.TryAdd((length, seed), body))
        {
            // Another request made it first: give back this one's reservation and serve the kept one.
            Interlocked.Add(ref _cachedBytes, -length);
            return _bodies[(length, seed)];
        }

        return body;
    }

    /// <summary>
    /// Writes and flushes the next <paramref name="length"/> bytes of <paramref name="bytes"/>, one
    /// <see cref="DeterministicBytes.PieceSize"/> piece at a time, generated straight into the
    /// server's output buffers: no copy through a buffer of our own.
    /// </summary>
    private static async Task WriteGeneratedAsync(PipeWriter destination, DeterministicBytes bytes, long length, CancellationToken cancellationToken)
    {
        for (long left = length; left > 0; left -= DeterministicBytes.PieceSize)
        {
            int size = (int)Math.Min(DeterministicBytes.PieceSize, left);
            bytes.Fill(destination.GetSpan(size)[..size]);
            destination.Advance(size);
            FlushResult flushed = await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                // The client went away: nothing reads what is left.
                return;
            }
        }
    }

    /// <summary>/upload/sha256: hashes the request body as it arrives, whatever its size, and answers its SHA-256 and length.</summary>
    private static async Task HashUploadAsync(HttpContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        PipeReader body = context.Request.BodyReader;
        while (true)
        {
            ReadResult read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                hash.AppendData(segment.Span);
                length += segment.Length;
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        await context.Response.WriteAsJsonAsync(new { sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()), length }, context.RequestAborted).ConfigureAwait(false);
    }
}
