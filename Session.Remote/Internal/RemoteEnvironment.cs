namespace ProcessFutures.Internal;

/// <summary>The environment a remote worker (<c>--remote</c>) and a RemoteWorkerExecutor read.</summary>
internal static class RemoteEnvironment
{
    /// <summary>A file holding the token (a mounted secret), instead of PROCESSFUTURES_TOKEN.</summary>
    public const string TokenFile = "PROCESSFUTURES_TOKEN_FILE";

    /// <summary>Where to listen (https only). Default: <see cref="DefaultListen"/>.</summary>
    public const string Listen = "PROCESSFUTURES_LISTEN";

    public const string DefaultListen = "https://0.0.0.0:5443";

    /// <summary>The PEM certificate (chain) to serve TLS with.</summary>
    public const string Certificate = "PROCESSFUTURES_CERTIFICATE";

    /// <summary>The PEM private key of <see cref="Certificate"/>.</summary>
    public const string CertificateKey = "PROCESSFUTURES_CERTIFICATE_KEY";

    /// <summary>A PEM certificate authority; when set, clients must present a certificate it signed.</summary>
    public const string ClientCertificateAuthority = "PROCESSFUTURES_CLIENT_CA";

    /// <summary>How long a worker told to stop lets running requests finish, in seconds. Default: <see cref="DefaultDrainSeconds"/>.</summary>
    public const string DrainSeconds = "PROCESSFUTURES_DRAIN_SECONDS";

    public const int DefaultDrainSeconds = 110;
}
