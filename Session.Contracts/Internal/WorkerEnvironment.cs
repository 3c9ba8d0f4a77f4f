namespace ProcessFutures.Internal;

/// <summary>
/// The environment variables through which the pool configures a worker. The token travels
/// only here (never on the command line, which every local user can read), and the worker
/// removes it from its own environment once read.
/// </summary>
internal static class WorkerEnvironment
{
    public const string SocketPath = "PROCESSFUTURES_SOCKET";
    public const string Token = "PROCESSFUTURES_TOKEN";
    public const string ParentProcessId = "PROCESSFUTURES_PARENT_PID";

    /// <summary>How a local worker serves its pool: <see cref="SocketTransport"/> (framed messages, the default) or <see cref="GrpcTransport"/>.</summary>
    public const string Transport = "PROCESSFUTURES_TRANSPORT";

    public const string SocketTransport = "socket";

    public const string GrpcTransport = "grpc";

    /// <summary>
    /// Set to <see cref="RunAsWorkerValue"/> when the pool starts the app itself as its worker
    /// (self-contained and single-file apps): ProcessPoolExecutor.RunWorkerIfRequested then runs the worker.
    /// </summary>
    public const string RunAsWorker = "PROCESSFUTURES_RUN_AS_WORKER";

    public const string RunAsWorkerValue = "1";

    /// <summary>A file holding the token (remote workers: a mounted secret).</summary>
    public const string TokenFile = "PROCESSFUTURES_TOKEN_FILE";

    /// <summary>Remote workers: where to listen (https only). Default: <see cref="DefaultListen"/>.</summary>
    public const string Listen = "PROCESSFUTURES_LISTEN";

    public const string DefaultListen = "https://0.0.0.0:5443";

    /// <summary>Remote workers: the PEM certificate (chain) to serve TLS with.</summary>
    public const string Certificate = "PROCESSFUTURES_CERTIFICATE";

    /// <summary>Remote workers: the PEM private key of <see cref="Certificate"/>.</summary>
    public const string CertificateKey = "PROCESSFUTURES_CERTIFICATE_KEY";

    /// <summary>Remote workers: a PEM certificate authority; when set, clients must present a certificate it signed.</summary>
    public const string ClientCertificateAuthority = "PROCESSFUTURES_CLIENT_CA";

    /// <summary>The command-line switch that runs a worker in remote mode.</summary>
    public const string RemoteSwitch = "--remote";

    /// <summary>The header every call carries; a call without the pool's token is refused.</summary>
    public const string TokenHeader = "x-processfutures-token";

    /// <summary>The line a worker prints on stdout once it listens.</summary>
    public const string ReadyLine = "processfutures-worker-ready";
}
