using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace ProcessFutures.Internal;

/// <summary>
/// Connections to remote workers: HTTP/2 over TLS, one channel per worker address. The channel
/// names the worker by its host (the certificate must carry it: the DNS name of the target, or
/// the host as written) while the socket connects to the resolved address, so each pod of a
/// headless Service is its own channel. Trust is the system's, or one given certificate.
/// </summary>
internal sealed class RemoteChannels(RemoteWorkerOptions options) : IDisposable
{
    private readonly X509Certificate2? _trusted = options.TrustedCertificate
        ?? (options.TrustedCertificateFile is { } file ? X509CertificateLoader.LoadCertificateFromFile(file) : null);

    // Loaded here from TrustedCertificateFile: ours to dispose (a given one is the caller's).
    private readonly bool _ownsTrusted = options.TrustedCertificate is null;

    public void Dispose()
    {
        if (_ownsTrusted)
        {
            _trusted?.Dispose();
        }
    }

    public GrpcChannel Create(WorkerEndpoint endpoint) => GrpcChannel.ForAddress($"https://{Authority(endpoint)}", new GrpcChannelOptions
    {
        HttpHandler = Handler(endpoint),
        DisposeHttpClient = true,
        MaxReceiveMessageSize = ProcessFutures.Infrastructure.MessageStream.MaxMessage,
    });

    /// <summary>An HttpClient on the same TLS settings, for the worker's /healthz.</summary>
    public HttpClient CreateProbe(WorkerEndpoint endpoint) => new(Handler(endpoint), disposeHandler: true)
    {
        BaseAddress = new Uri($"https://{Authority(endpoint)}"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static string Authority(WorkerEndpoint endpoint) =>
        (IPAddress.TryParse(endpoint.Host, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Host}]" : endpoint.Host) + ":" + endpoint.Port;

    private SocketsHttpHandler Handler(WorkerEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            InitialHttp2StreamWindowSize = UnixSocketChannel.StreamWindow,

            // A worker whose machine vanished sends no RST: pings find it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = options.ClientCertificate is { } client ? [client] : null,
                RemoteCertificateValidationCallback = _trusted is null ? null : ValidateAgainstTrusted,
            },
        };
        if (endpoint.Address is { } address)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    private bool ValidateAgainstTrusted(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_trusted!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
