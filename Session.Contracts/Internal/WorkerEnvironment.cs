namespace Session.Contracts.Internal;

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

    /// <summary>
    /// Set to <see cref="RunAsWorkerValue"/> when the pool starts the app itself as its worker
    /// (self-contained and single-file apps): ProcessPoolExecutor.RunWorkerIfRequested then runs the worker.
    /// </summary>
    public const string RunAsWorker = "PROCESSFUTURES_RUN_AS_WORKER";

    public const string RunAsWorkerValue = "1";

    /// <summary>The header every call carries; a call without the pool's token is refused.</summary>
    public const string TokenHeader = "x-processfutures-token";

    /// <summary>The line a worker prints on stdout once it listens.</summary>
    public const string ReadyLine = "processfutures-worker-ready";
}
