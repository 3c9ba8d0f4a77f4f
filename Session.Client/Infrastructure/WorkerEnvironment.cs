using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): the environment variables and markers through
/// which a pool configures its workers. The token travels only in the environment (never on the
/// command line, which every local user can read), and the worker removes it once read.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class WorkerEnvironment
{
    /// <summary>The token every stream must carry (a local pool's, or a remote worker's).</summary>
    public const string Token = "PROCESSFUTURES_TOKEN";

    /// <summary>The command-line switch that runs a worker in remote mode.</summary>
    public const string RemoteSwitch = "--remote";

    /// <summary>The line a worker prints on stdout once it listens.</summary>
    public const string ReadyLine = "processfutures-worker-ready";

    internal const string SocketPath = "PROCESSFUTURES_SOCKET";

    internal const string ParentProcessId = "PROCESSFUTURES_PARENT_PID";

    /// <summary>How a local worker serves its pool: <see cref="SocketTransport"/> (framed messages, the default) or <see cref="GrpcTransport"/>.</summary>
    internal const string Transport = "PROCESSFUTURES_TRANSPORT";

    internal const string SocketTransport = "socket";

    internal const string GrpcTransport = "grpc";

    /// <summary>
    /// Set to <see cref="RunAsWorkerValue"/> when the pool starts the app itself as its worker
    /// (self-contained and single-file apps): ProcessPoolExecutor.RunWorkerIfRequested then runs the worker.
    /// </summary>
    internal const string RunAsWorker = "PROCESSFUTURES_RUN_AS_WORKER";

    internal const string RunAsWorkerValue = "1";
}
