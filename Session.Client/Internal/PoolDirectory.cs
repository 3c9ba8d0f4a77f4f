using System.Globalization;
using System.Security.Cryptography;

namespace Session.Client.Internal;

/// <summary>
/// The directory that holds a pool's worker sockets: created with mode 0700 (only this user can
/// reach the sockets), named after the pool's pid, removed on disposal. Directories left behind
/// by pools whose process died are removed by the next pool that starts.
/// </summary>
internal sealed class PoolDirectory : IDisposable
{
    internal const string Prefix = "processfutures-";

    // sun_path holds 108 bytes on Linux; keep well under it with the socket's file name.
    private const int MaxRootLength = 60;

    private PoolDirectory(string path) => Path = path;

    public string Path { get; }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static PoolDirectory Create()
    {
        string root = System.IO.Path.GetTempPath();
        if (root.Length > MaxRootLength)
        {
            root = "/tmp";
        }

        RemoveStale(root);
        string name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        string path = System.IO.Path.Combine(root, name);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new PoolDirectory(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    internal static void RemoveStale(string root)
    {
        try
        {
            foreach (string directory in Directory.EnumerateDirectories(root, Prefix + "*"))
            {
                string[] parts = System.IO.Path.GetFileName(directory)[Prefix.Length..].Split('-');
                if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !IsAlive(pid))
                {
                    try
                    {
                        Directory.Delete(directory, recursive: true);
                    }
                    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                    {
                        // Another user's, or being removed by another pool: not ours to insist on.
                    }
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool IsAlive(int pid) => pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}");
}
