using System.Globalization;

namespace Bench;

/// <summary>
/// The floor a worker's start is measured against: a fresh .NET process (this bench started again
/// with <see cref="Switch"/>) that sends one GET with a raw <see cref="HttpClient"/> and reports its
/// own CPU (user + system, from /proc/self/stat) at the answer. A worker does that much and more
/// (its socket, the frame, the answer) before its first answer.
/// </summary>
internal static class RawFirstGet
{
    public const string Switch = "--raw-first-get";

    /// <summary>In the child: the GET, then the CPU in milliseconds on stdout.</summary>
    public static async Task<int> RunAsync(string url)
    {
        using var client = new HttpClient();
        byte[] body = await client.GetByteArrayAsync(url);
        double cpu = ProcessCpu.Seconds("self") ?? double.NaN;
        Console.WriteLine((cpu * 1e3).ToString(CultureInfo.InvariantCulture));
        return body.Length > 0 ? 0 : 1;
    }

    /// <summary>In the bench: starts the child for <paramref name="url"/>; its CPU to the answer in ms, NaN if it failed.</summary>
    public static async Task<double> MeasureAsync(string url, TimeSpan timeout)
    {
        (int exitCode, string output, _) = await ChildRun.RunAsync(DotnetHost.Path(), ["exec", typeof(RawFirstGet).Assembly.Location, Switch, url], timeout);
        return exitCode == 0 && double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) ? ms : double.NaN;
    }
}
