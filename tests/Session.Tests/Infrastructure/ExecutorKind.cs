using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>The executors the behavioural suite runs against: every behaviour is proven for both.</summary>
public enum ExecutorKind
{
    ThreadPool,
    ProcessPool,
}

internal static class Executors
{
    /// <summary>An executor that runs <paramref name="capacity"/> requests at once.</summary>
    public static IRequestExecutor Create(ExecutorKind kind, int capacity, int processes = 2) => kind switch
    {
        ExecutorKind.ThreadPool => new ThreadPoolExecutor(capacity),
        ExecutorKind.ProcessPool => new ProcessPoolExecutor(processes, new ProcessPoolOptions { ConcurrencyPerWorker = Math.Max(1, capacity / processes), LoggerFactory = TestLogging.Factory }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
