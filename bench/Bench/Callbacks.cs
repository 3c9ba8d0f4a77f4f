using System.Security.Cryptography;
using Session.Contracts;

namespace Bench;

/// <summary>Callbacks that run inside a worker process: named static methods whose results MessagePack can carry.</summary>
public static class Callbacks
{
    /// <summary>Hashes the body where it was downloaded: only 64 hex characters come back, not the body.</summary>
    public static string Sha256(Response response) => Convert.ToHexStringLower(SHA256.HashData(response.Content));
}
