namespace ProcessFutures.Internal;

/// <summary>The sizes both sides of the worker protocol agree on, in one place.</summary>
internal static class WireLimits
{
    /// <summary>Body and result chunks: under 85,000 bytes, so no chunk lands on the large object heap.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Request bodies up to this size travel in the request's start frame; larger ones continue in chunks.</summary>
    public const int MaxInlineBody = 1024 * 1024;

    /// <summary>The largest gRPC message a worker accepts (it sets this as its limit).</summary>
    public const int MaxMessage = 4 * 1024 * 1024;

    /// <summary>The largest start frame the client sends: the worker's limit less room for the inline body's framing.</summary>
    public const int MaxStartFrame = MaxMessage - MaxInlineBody - 1024;
}
