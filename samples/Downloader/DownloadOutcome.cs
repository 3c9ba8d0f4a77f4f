namespace Downloader;

/// <summary>How one download ended.</summary>
/// <param name="Index">The item's position in the list.</param>
/// <param name="Item">What was asked for.</param>
/// <param name="Path">Where it was to be saved.</param>
/// <param name="Elapsed">From its first bytes (or, with none, from its request) to its end: time queued for a free worker is not counted.</param>
internal sealed record DownloadOutcome(int Index, DownloadItem Item, string Path, TimeSpan Elapsed)
{
    /// <summary>What the worker found in the saved file; null when the download failed.</summary>
    public SavedFile? Saved { get; init; }

    /// <summary>Whether the file's SHA-256 was checked against the one the list expects (and matched: a mismatch is a failure).</summary>
    public bool Verified { get; init; }

    /// <summary>Why it failed, on one line (the exception's type and message); null when it succeeded.</summary>
    public string? Failure { get; init; }

    /// <summary>
    /// For a failure: a file was found under its name once the pool had stopped (and was removed).
    /// A download cancelled while its callback ran leaves its complete, unverified file; any other
    /// failure should leave none.
    /// </summary>
    public bool LeftAFile { get; init; }

    public bool Succeeded => Failure is null;
}
