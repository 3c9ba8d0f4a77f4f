using System.Net;

namespace ProcessFutures.Internal;

/// <summary>Where one remote worker listens: the address to connect to, and the name its certificate must carry.</summary>
internal sealed record WorkerEndpoint(IPAddress? Address, string Host, int Port)
{
    public override string ToString() => Address is null ? $"{Host}:{Port}" : $"{Address}:{Port}" + (Address.ToString() == Host ? string.Empty : $" ({Host})");
}
