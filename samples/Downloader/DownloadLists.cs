using HttpBin;

namespace Downloader;

/// <summary>The lists of files to download: the test server's default ones, or the user's URLs.</summary>
internal static class DownloadLists
{
    private const long MiB = 1024 * 1024;

    /// <summary>The longest file name made from a URL.</summary>
    private const int MaxFileNameLength = 120;

    /// <summary>
    /// The default list, on the local test server. Largest first: each worker takes the next file
    /// as it frees up, so starting the 300 MiB one first keeps the run as short as that one file.
    /// </summary>
    public static IReadOnlyList<DownloadItem> Default(HttpBinServer server, bool quick) => quick
        ?
        [
            Bytes(server, 4 * MiB, seed: 2),
            Bytes(server, 1 * MiB, seed: 1),
            Chunked(server, 2 * MiB, seed: 5),
            NotFound(server),
            CutShort(server, 1 * MiB, seed: 6),
        ]
        :
        [
            Bytes(server, 300 * MiB, seed: 4),
            Bytes(server, 64 * MiB, seed: 3),
            Chunked(server, 32 * MiB, seed: 5),
            Bytes(server, 16 * MiB, seed: 2),
            Bytes(server, 1 * MiB, seed: 1),
            NotFound(server),
            CutShort(server, 8 * MiB, seed: 6),
        ];

    /// <summary>The user's URLs, each saved under the last segment of its path, made unique.</summary>
    public static IReadOnlyList<DownloadItem> FromUrls(IReadOnlyList<Uri> urls)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<DownloadItem>(urls.Count);
        foreach (Uri url in urls)
        {
            string name = FileNameOf(url);
            string unique = name;
            for (int n = 2; !taken.Add(unique); n++)
            {
                unique = $"{Path.GetFileNameWithoutExtension(name)}-{n}{Path.GetExtension(name)}";
            }

            items.Add(new DownloadItem(url, unique));
        }

        return items;
    }

    private static DownloadItem Bytes(HttpBinServer server, long length, ulong seed) =>
        new(new Uri(server.Url($"/bytes/{length}?seed={seed}")), $"bytes-{length / MiB}MiB.bin") { Deterministic = (length, seed) };

    private static DownloadItem Chunked(HttpBinServer server, long length, ulong seed) =>
        new(new Uri(server.Url($"/stream-bytes/{length}?seed={seed}")), $"chunked-{length / MiB}MiB.bin") { Deterministic = (length, seed) };

    private static DownloadItem NotFound(HttpBinServer server) =>
        new(new Uri(server.Url("/status/404")), "not-found.bin") { FailsOnPurpose = "a 404 answer is not the file asked for" };

    private static DownloadItem CutShort(HttpBinServer server, long sent, ulong seed) =>
        new(new Uri(server.Url($"/drop-after/{sent}?seed={seed}")), $"cut-after-{sent / MiB}MiB.bin")
        {
            FailsOnPurpose = $"the server closes the connection after {sent / MiB} MiB of the {2 * sent / MiB} MiB it announced",
        };

    /// <summary>A safe plain file name from the URL's last path segment (never a directory, never '.' or '..').</summary>
    private static string FileNameOf(Uri url)
    {
        string segment = Uri.UnescapeDataString(url.Segments[^1].TrimEnd('/'));
        char[] invalid = Path.GetInvalidFileNameChars();
        string name = new([.. segment.Select(c => Array.IndexOf(invalid, c) >= 0 || char.IsControl(c) ? '_' : c)]);
        name = name.Trim().TrimStart('.');
        if (name.Length == 0)
        {
            name = url.Host;
        }

        return name.Length > MaxFileNameLength ? name[..MaxFileNameLength] : name;
    }
}
