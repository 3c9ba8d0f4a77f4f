using System.Globalization;

namespace ProcessFutures.Internal;

/// <summary>Reads another process's resident memory from /proc without Process objects (one small file read).</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set size of <paramref name="processId"/> in bytes, or null if it cannot be read.</summary>
    public static long? ResidentBytes(int processId)
    {
        try
        {
            // statm: size resident shared text lib data dt, in pages.
            string statm = File.ReadAllText($"/proc/{processId}/statm");
            string[] fields = statm.Split(' ', 3);
            return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long pages)
                ? pages * Environment.SystemPageSize
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
