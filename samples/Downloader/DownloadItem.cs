namespace Downloader;

/// <summary>One file to download: where from, under which name, and what it should be.</summary>
/// <param name="Url">The URL to download.</param>
/// <param name="FileName">The file's name in the output folder (a plain name, no directory).</param>
internal sealed record DownloadItem(Uri Url, string FileName)
{
    /// <summary>For a body of the test server's deterministic bytes: its length and seed, from which its SHA-256 is known. Null: nothing to check against.</summary>
    public (long Length, ulong Seed)? Deterministic { get; init; }

    /// <summary>Why this download is meant to fail, for the default list's deliberate failures; null for a file meant to arrive.</summary>
    public string? FailsOnPurpose { get; init; }
}
