namespace Downloader;

/// <summary>What the worker found in a saved file: a plain record, so MessagePack carries it back without attributes.</summary>
/// <param name="Length">The file's length in bytes.</param>
/// <param name="Sha256">The file's SHA-256, lower-case hex.</param>
/// <param name="HashedInProcess">The process that read and hashed the file (a worker's, with a process pool).</param>
public sealed record SavedFile(long Length, string Sha256, int HashedInProcess);
