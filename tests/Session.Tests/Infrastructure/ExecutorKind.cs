using Microsoft.Extensions.Logging;
using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>The executors the behavioural suite runs against: every behaviour is proven for each.</summary>
public enum ExecutorKind
{
    ThreadPool,

    /// <summary>A local pool on its default transport, framed messages on Unix sockets.</summary>
    ProcessPool,

    /// <summary>A local pool on gRPC over its Unix sockets (ProcessFutures.Remote's transport).</summary>
    ProcessPoolGrpc,

    /// <summary>Remote workers on loopback addresses, TLS and a token, each isolated from this process's /tmp where it can be.</summary>
    Remote,
}

internal static class Executors
{
    /// <summary>An executor that runs <paramref name="capacity"/> requests at once (for remote workers: about that many, over the shared workers).</summary>
    public static IRequestExecutor Create(ExecutorKind kind, int capacity, int processes = 2, ILoggerFactory? logs = null) => kind switch
    {
        ExecutorKind.ThreadPool => new ThreadPoolExecutor(capacity, logs),
        ExecutorKind.ProcessPool => new ProcessPoolExecutor(processes, new ProcessPoolOptions { ConcurrencyPerWorker = Math.Max(1, capacity / processes), LoggerFactory = logs ?? TestLogging.Factory }),
        ExecutorKind.ProcessPoolGrpc => new ProcessPoolExecutor(processes, new ProcessPoolOptions { ConcurrencyPerWorker = Math.Max(1, capacity / processes), Transport = WorkerTransport.Grpc, LoggerFactory = logs ?? TestLogging.Factory }),
        ExecutorKind.Remote => SharedRemoteWorkers.Executor(concurrencyPerWorker: Math.Max(1, capacity / SharedRemoteWorkers.Count), logs: logs),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>How many requests <see cref="Create"/>'s executor runs at once: <paramref name="capacity"/>, or for remote workers, the nearest the shared workers give.</summary>
    public static int Capacity(ExecutorKind kind, int capacity) =>
        kind == ExecutorKind.Remote ? SharedRemoteWorkers.Count * Math.Max(1, capacity / SharedRemoteWorkers.Count) : capacity;

    /// <summary>Whether requests run in another process (a callback's pid differs from this one's).</summary>
    public static bool RunsElsewhere(this ExecutorKind kind) => kind != ExecutorKind.ThreadPool;

    /// <summary>The executor's name in telemetry.</summary>
    public static string TelemetryName(this ExecutorKind kind) => kind switch
    {
        ExecutorKind.ThreadPool => "thread",
        ExecutorKind.Remote => "remote",
        _ => "process",
    };
}
