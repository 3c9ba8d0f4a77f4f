using System.Globalization;
using System.Net;

namespace ProcessFutures.Internal;

/// <summary>
/// The workers a gRPC-style target names: <c>static:///host1:port,host2:port</c> (each one a
/// worker), or <c>dns:///name:port</c> (every address the name resolves to is a worker: a
/// Kubernetes headless Service has one per ready pod).
/// </summary>
internal sealed class TargetResolver
{
    private readonly bool _dns;
    private readonly string _host = string.Empty;
    private readonly int _port;
    private readonly IReadOnlyList<WorkerEndpoint> _static = [];

    private TargetResolver(string target, bool dns, string host, int port, IReadOnlyList<WorkerEndpoint> endpoints)
    {
        Target = target;
        _dns = dns;
        _host = host;
        _port = port;
        _static = endpoints;
    }

    public string Target { get; }

    /// <summary>Parses a target; throws ArgumentException saying what is wrong and what is expected.</summary>
    public static TargetResolver Parse(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (target.StartsWith("dns:///", StringComparison.OrdinalIgnoreCase))
        {
            (string host, int port) = HostAndPort(target, target["dns:///".Length..]);
            return new TargetResolver(target, dns: true, host, port, []);
        }

        if (target.StartsWith("static:///", StringComparison.OrdinalIgnoreCase))
        {
            var endpoints = new List<WorkerEndpoint>();
            foreach (string part in target["static:///".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                (string host, int port) = HostAndPort(target, part);
                endpoints.Add(new WorkerEndpoint(IPAddress.TryParse(host, out IPAddress? address) ? address : null, host, port));
            }

            if (endpoints.Count == 0)
            {
                throw Invalid(target, "it names no worker");
            }

            return new TargetResolver(target, dns: false, string.Empty, 0, endpoints);
        }

        throw Invalid(target, "its scheme is neither dns:/// nor static:///");
    }

    public async Task<IReadOnlyList<WorkerEndpoint>> ResolveAsync(CancellationToken cancellationToken)
    {
        if (!_dns)
        {
            return _static;
        }

        IPAddress[] addresses = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
        return [.. addresses.Distinct().Select(address => new WorkerEndpoint(address, _host, _port))];
    }

    private static (string Host, int Port) HostAndPort(string target, string part)
    {
        int colon = part.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw Invalid(target, $"'{part}' is not host:port");
        }

        return (part[..colon].Trim('[', ']'), port);
    }

    private static ArgumentException Invalid(string target, string why) => new(
        $"The worker address '{target}' is not valid: {why}. Write 'dns:///name:port' (every address the name resolves to is a worker) or 'static:///host1:port,host2:port'.",
        "address");
}
