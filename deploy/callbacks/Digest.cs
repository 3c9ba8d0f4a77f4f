namespace Callbacks;

/// <summary>A body's length and SHA-256: a plain record, which MessagePack carries back without attributes.</summary>
/// <param name="Length">The body's length in bytes.</param>
/// <param name="Sha256">The body's SHA-256, in lowercase hexadecimal.</param>
public sealed record Digest(long Length, string Sha256);
