using System.Security.Cryptography;
using ProcessFutures;

namespace Quickstart;

/// <summary>
/// Callbacks that can run in a worker process: named static methods whose results MessagePack
/// can carry. (The same methods work with the thread pool too.)
/// </summary>
public static class Callbacks
{
    /// <summary>Parses the JSON body in the background; only the query arguments come back.</summary>
    public static Dictionary<string, string> ParseArgs(Response response) =>
        response.Json<HttpBinGet>()?.Args ?? [];

    /// <summary>Hashes the body where it was downloaded; only 32 bytes come back, not the body.</summary>
    public static Digest Sha256(Response response) =>
        new(response.Content.Length, Convert.ToHexStringLower(SHA256.HashData(response.Content)), Environment.ProcessId);
}

/// <summary>What /get answers (the part this sample reads).</summary>
public sealed record HttpBinGet(Dictionary<string, string> Args, string Url);

/// <summary>A plain record: MessagePack carries it back from the worker without attributes.</summary>
public sealed record Digest(long Length, string Sha256, int ComputedInProcess);
