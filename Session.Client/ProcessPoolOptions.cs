using Microsoft.Extensions.Logging;

namespace Session.Client;

/// <summary>Settings of a <see cref="ProcessPoolExecutor"/>. Checked once, by its constructor.</summary>
public sealed class ProcessPoolOptions
{
    /// <summary>The default of <see cref="WorkerStartTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultWorkerStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="ShutdownTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How many requests one worker runs at once. Default: 1. At least 1.</summary>
    public int ConcurrencyPerWorker { get; init; } = 1;

    /// <summary>
    /// After how many requests a worker is replaced (0: never, the default). The replacement
    /// starts first; the old worker finishes what it runs, then exits. No request fails for it.
    /// </summary>
    public int MaxTasksPerWorker { get; init; }

    /// <summary>
    /// The resident memory (working set) past which a worker is replaced, checked after each of
    /// its requests (0: never, the default). The request that crossed the limit completes normally.
    /// </summary>
    public long MaxWorkerMemoryBytes { get; init; }

    /// <summary>
    /// The worker to start: a <c>.dll</c> (run with the same <c>dotnet</c> as this process) or an
    /// executable. Default: <see langword="null"/>, meaning <c>Session.Worker.dll</c> beside
    /// <c>Session.Client.dll</c>, where referencing Session.Client puts it.
    /// </summary>
    public string? WorkerPath { get; init; }

    /// <summary>How long a worker may take to say it is ready before its start counts as failed. Default: <see cref="DefaultWorkerStartTimeout"/>.</summary>
    public TimeSpan WorkerStartTimeout { get; init; } = DefaultWorkerStartTimeout;

    /// <summary>On disposal, how long running requests may take to finish before their workers are killed. Default: <see cref="DefaultShutdownTimeout"/>.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;

    /// <summary>Receives the pool's events and what workers print on stderr. Default: <see langword="null"/> (nothing is logged).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (ConcurrencyPerWorker < 1)
        {
            problems.Add($"ConcurrencyPerWorker '{ConcurrencyPerWorker}' must be 1 or more.");
        }

        if (MaxTasksPerWorker < 0)
        {
            problems.Add($"MaxTasksPerWorker '{MaxTasksPerWorker}' must be 0 (never recycle) or more.");
        }

        if (MaxWorkerMemoryBytes < 0)
        {
            problems.Add($"MaxWorkerMemoryBytes '{MaxWorkerMemoryBytes}' must be 0 (never recycle) or more.");
        }

        if (WorkerPath is { } path && string.IsNullOrWhiteSpace(path))
        {
            problems.Add("WorkerPath is blank; leave it null to use the worker beside Session.Client.dll.");
        }

        if (WorkerStartTimeout <= TimeSpan.Zero)
        {
            problems.Add($"WorkerStartTimeout '{WorkerStartTimeout}' must be positive.");
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            problems.Add($"ShutdownTimeout '{ShutdownTimeout}' must be zero or positive.");
        }

        return problems;
    }
}
