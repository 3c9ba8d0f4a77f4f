namespace Downloader;

/// <summary>
/// The folder the downloads go to when no <c>--out</c> is given: a new folder in the temporary
/// directory, named <c>processfutures-downloads-*</c>, removed with everything in it at the end of
/// the run (the default list is about 420 MiB) unless <c>--keep</c> asked to keep it. Removed on
/// disposal too, so that an exception does not leave it behind.
/// </summary>
internal sealed class TemporaryFolder : IDisposable
{
    /// <summary>The start of the folder's name.</summary>
    public const string Prefix = "processfutures-downloads-";

    private bool _removed;

    public TemporaryFolder(bool keep)
    {
        FullName = Directory.CreateTempSubdirectory(Prefix).FullName;
        Keep = keep;
    }

    /// <summary>The folder's full path.</summary>
    public string FullName { get; }

    /// <summary>Whether the folder stays after the run (<c>--keep</c>).</summary>
    public bool Keep { get; }

    /// <summary>
    /// Removes the folder unless it is kept; returns what was removed (files and bytes), or why it
    /// could not be, for the report. Call it once nothing writes to the folder any more (the pool
    /// has stopped). Safe to call twice: only the first call removes.
    /// </summary>
    public (int Files, long Bytes, string? Problem) Remove()
    {
        if (Keep || _removed)
        {
            return (0, 0, null);
        }

        _removed = true;
        int files = 0;
        long bytes = 0;
        try
        {
            foreach (FileInfo file in new DirectoryInfo(FullName).EnumerateFiles("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true }))
            {
                files++;
                bytes += file.Length;
            }

            Directory.Delete(FullName, recursive: true);
            return (files, bytes, null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (files, bytes, exception.Message);
        }
    }

    public void Dispose() => Remove();
}
