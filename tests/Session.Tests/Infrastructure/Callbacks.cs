using System.Security.Cryptography;
using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>
/// Callbacks the tests pass to sessions. They are named static methods, so they also run inside
/// worker processes (which load this assembly). Nothing here touches NUnit.
/// </summary>
public static class Callbacks
{
    public static int StatusCode(Response response) => response.StatusCode;

    public static int ProcessId(Response response) => Environment.ProcessId;

    public static Dictionary<string, string> Args(Response response) =>
        response.Json<Echo>()?.Args ?? throw new InvalidOperationException("No JSON body.");

    public static int EnsuresSuccess(Response response) => response.EnsureSuccessStatusCode().StatusCode;

    public static string Boom(Response response) => throw new InvalidOperationException("boom");

    public static string CustomBoom(Response response) => throw new CustomCallbackFailure($"custom boom on {response.StatusCode}");

    public static Response Identity(Response response) => response;

    public static Digest Sha256(Response response) =>
        new(response.Content.Length, Convert.ToHexStringLower(SHA256.HashData(response.Content)), Environment.ProcessId);

    public static Summary Summarize(Response response) => new(response.StatusCode, response.Url.AbsolutePath, [.. response.Headers.Keys], response.Content.Length);

    public static Stream ReturnsStream(Response response) => new MemoryStream(response.Content);

    public static IDisposable ReturnsInterface(Response response) => new MemoryStream();

    public static object ReturnsObject(Response response) => response.StatusCode;

    public static Task<int> ReturnsTask(Response response) => Task.FromResult(response.StatusCode);

    public static Func<int> ReturnsDelegate(Response response) => () => response.StatusCode;

    public static Shape ReturnsAbstract(Response response) => new Square();

    public static HasStream ReturnsNestedStream(Response response) => new(new MemoryStream());

    /// <summary>Blocks its thread for a minute: in a worker, a callback the pool must kill.</summary>
    public static int Sleeps(Response response)
    {
        Thread.Sleep(TimeSpan.FromSeconds(60));
        return 0;
    }

    /// <summary>Blocks its thread for five seconds.</summary>
    public static int SleepsFor5Seconds(Response response)
    {
        Thread.Sleep(TimeSpan.FromSeconds(5));
        return 0;
    }

    /// <summary>
    /// Writes its worker's pid to the file named by the request's <c>marker</c> query argument
    /// (so a test knows the callback is running, and where), then blocks for five seconds and
    /// returns the pid.
    /// </summary>
    public static int MarksThenSleeps(Response response)
    {
        File.WriteAllText(Args(response)["marker"], Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Thread.Sleep(TimeSpan.FromSeconds(5));
        return Environment.ProcessId;
    }

    /// <summary>Ends the worker process: a crash while running a request.</summary>
    public static int ExitsProcess(Response response)
    {
        Environment.Exit(3);
        return 0;
    }

    /// <summary>Grows the process by ~96 MB and keeps it (a leak), then answers the process id.</summary>
    public static int Leaks(Response response)
    {
        byte[] block = new byte[96 * 1024 * 1024];
        Array.Fill(block, (byte)1);
        s_leaked.Add(block);
        return Environment.ProcessId;
    }

    private static readonly List<byte[]> s_leaked = [];
}

/// <summary>What the local httpbin's /get, /anything and echo endpoints answer.</summary>
public sealed record Echo(Dictionary<string, string> Args, Dictionary<string, string> Headers, string Url, string? Data, Dictionary<string, string>? Form, string? Method)
{
    /// <summary>A request header as the server saw it, looked up case-insensitively.</summary>
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

public sealed record Digest(long Length, string Sha256, int ComputedInProcess);

public sealed record Summary(int StatusCode, string Path, List<string> HeaderNames, int Length);

public sealed record HasStream(Stream Stream);

public abstract class Shape;

public sealed class Square : Shape;

public sealed class CustomCallbackFailure(string message) : Exception(message);
