namespace Downloader;

/// <summary>
/// The checks made on the output folder once the pool has stopped (so no worker still writes to
/// it): a failed download keeps no file under its name, and no temporary file is left behind.
/// </summary>
internal static class OutputFolder
{
    /// <summary>
    /// Removes what a failed download left under its name, marking its outcome: a file that was not
    /// verified does not stay. (One cancelled while its callback ran was complete, and is removed.)
    /// </summary>
    public static IReadOnlyList<DownloadOutcome> RemoveFailedFiles(IReadOnlyList<DownloadOutcome> outcomes) =>
        [.. outcomes.Select(outcome =>
        {
            if (outcome.Succeeded || !File.Exists(outcome.Path))
            {
                return outcome;
            }

            File.Delete(outcome.Path);
            return outcome with { LeftAFile = true };
        })];

    /// <summary>The temporary files (<c>.name.random.partial</c>, hidden) left in the folder.</summary>
    public static string[] Leftovers(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.partial", new EnumerationOptions { AttributesToSkip = 0 }).Select(path => Path.GetFileName(path))];
}
