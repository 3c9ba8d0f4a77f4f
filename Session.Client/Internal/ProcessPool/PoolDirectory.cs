using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ProcessFutures.Internal;

/// <summary>
/// The directory that holds a pool's worker sockets: created with mode 0700 (only this user can
/// reach the sockets), named after the pool's pid, removed on disposal. Directories left behind
/// by pools whose process died are removed by the next pool that starts.
/// </summary>
internal sealed class PoolDirectory : IDisposable
{
    internal const string Prefix = "processfutures-";

    /// <summary>sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included: UTF-8 bytes, not characters.</summary>
    private const int MaxSocketPathBytes = 103;

    private PoolDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>The socket of the worker started <paramref name="generation"/>th.</summary>
    public string SocketPath(int generation) => System.IO.Path.Combine(Path, string.Create(CultureInfo.InvariantCulture, $"w{generation}.sock"));

    /// <summary>
    /// Makes the pool's directory under the temporary directory (made absolute: a relative TMPDIR
    /// means the same place to the worker as here), or under /tmp when that one is too long for a
    /// socket path in bytes (multibyte names count several each) or cannot be written.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static PoolDirectory Create()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var problems = new List<string>();
        foreach (string candidate in new[] { System.IO.Path.GetTempPath(), "/tmp" }.Distinct())
        {
            string root = System.IO.Path.GetFullPath(candidate);
            string path = System.IO.Path.Combine(root, name);
            int bytes = Encoding.UTF8.GetByteCount(System.IO.Path.Combine(path, $"w{int.MaxValue}.sock"));
            if (bytes > MaxSocketPathBytes)
            {
                problems.Add($"'{root}' is too long for a socket path ({bytes} bytes with the socket's name, over {MaxSocketPathBytes})");
                continue;
            }

            try
            {
                RemoveStale(root);
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return new PoolDirectory(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                problems.Add($"'{root}' cannot be used ({exception.Message})");
            }
        }

        throw new IOException(
            $"ProcessPoolExecutor found no directory for its workers' sockets: {string.Join("; ", problems)}. Set TMPDIR to a short, writable directory.");
    }

    /// <summary>Removes a worker's socket file (the worker cannot: it may have been killed); never throws.</summary>
    public static void RemoveSocket(string socketPath)
    {
        try
        {
            File.Delete(socketPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
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
