using System.Collections.Concurrent;

namespace ProcessFutures.Internal;

/// <summary>
/// The temporary files of the downloads this worker is writing, so that a worker told to exit
/// by its parent's death removes them (a download that fails removes its own; a worker killed
/// outright leaves its file to the client, which knows the name it chose).
/// </summary>
internal static class ActiveDownloads
{
    private static readonly ConcurrentDictionary<string, byte> s_paths = new(StringComparer.Ordinal);

    public static void Add(string temporaryPath) => s_paths.TryAdd(temporaryPath, 0);

    public static void Remove(string temporaryPath) => s_paths.TryRemove(temporaryPath, out _);

    public static void DeleteAll()
    {
        foreach (string path in s_paths.Keys)
        {
            BodyFiles.TryDelete(path);
        }
    }
}
