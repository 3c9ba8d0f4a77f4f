using System.Net;

namespace Session.Client.Internal;

/// <summary>Where one remote worker listens: the address to connect to, and the name its certificate must carry.</summary>
internal sealed record WorkerEndpoint(IPAddress? Address, string Host, int Port)
{
    /// <summary>The URI the channel connects to (the address when resolved, the host as written otherwise).</summary>
    public Uri Uri => new($"https://{(Address is null ? Host : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}");

    public override string ToString() => Address is null ? $"{Host}:{Port}" : $"{Address}:{Port}" + (Address.ToString() == Host ? string.Empty : $" ({Host})");
}
