using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ProcessFutures;

/// <summary>Settings of a <see cref="ProcessPoolExecutor"/>. Checked once, by its constructor.</summary>
public sealed class ProcessPoolOptions
{
    /// <summary>The default of <see cref="WorkerStartTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultWorkerStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="ShutdownTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How many requests one worker runs at once. Default: 1. At least 1.</summary>
    public int ConcurrencyPerWorker { get; set; } = 1;

    /// <summary>
    /// After how many requests a worker is replaced (0: never, the default). The replacement
    /// starts first (see <see cref="StartReplacementEarly"/>); the old worker finishes what it
    /// runs, then exits. No request fails for it.
    /// </summary>
    public int MaxTasksPerWorker { get; set; }

    /// <summary>
    /// Whether a worker's replacement starts before the worker reaches its recycling limit
    /// (<see cref="MaxTasksPerWorker"/>, <see cref="MaxWorkerMemoryBytes"/>), and takes over as
    /// soon as it is ready, so that requests do not wait for a worker to start. Default:
    /// <see langword="true"/>. It starts when, at the rate the worker serves, it would reach its
    /// task limit within four times the last start's duration (at least half a second), or when its
    /// resident memory passes three quarters of its limit; for that time the pool runs one more
    /// process per recycling worker (its memory, and the CPU of a worker's start). With
    /// <see langword="false"/>, a replacement starts once the worker stopped taking requests.
    /// </summary>
    public bool StartReplacementEarly { get; set; } = true;

    /// <summary>
    /// The resident memory (working set) past which a worker is replaced, checked after each of
    /// its requests (0: never, the default). The request that crossed the limit completes normally.
    /// </summary>
    public long MaxWorkerMemoryBytes { get; set; }

    /// <summary>
    /// A hard limit on each worker's managed heap (the runtime's <c>GCHeapHardLimit</c>): a callback
    /// that allocates past it gets an <see cref="OutOfMemoryException"/>, its request fails with it,
    /// the worker's other requests finish, and the worker is recycled, long before the machine runs
    /// out of memory. 0 means the default: twice <see cref="MaxWorkerMemoryBytes"/> when that is set,
    /// else no limit (the runtime's own, in a container). At least 64 MiB when set.
    /// </summary>
    public long WorkerHeapLimitBytes { get; set; }

    /// <summary>
    /// The worker to start: a <c>.dll</c> (run with the dotnet host of the shared runtime this app
    /// runs on) or an executable. Default: <see langword="null"/>, meaning <c>ProcessFutures.dll</c> itself
    /// (the assembly this type is in, which runs as the worker); in a self-contained
    /// or single-file app, the app itself (see <see cref="ProcessPoolExecutor.RunWorkerIfRequested"/>).
    /// </summary>
    public string? WorkerPath { get; set; }

    /// <summary>
    /// How the pool talks to its workers. Default: <see cref="WorkerTransport.Socket"/>, the faster;
    /// <see cref="WorkerTransport.Grpc"/> is the protocol remote workers speak, kept for comparison.
    /// </summary>
    public WorkerTransport Transport { get; set; } = WorkerTransport.Socket;

    /// <summary>
    /// Whether workers may be debugged and traced (<c>dotnet-trace</c>, <c>dotnet-counters</c>, a
    /// debugger attaching): their runtime then makes its debugger pipes and diagnostics socket in
    /// the temporary directory, which the pool removes when a worker ends. Default:
    /// <see langword="false"/>: workers make none (<c>DOTNET_EnableDiagnostics=0</c>), so a killed or
    /// recycled worker leaves nothing behind. A <c>DOTNET_EnableDiagnostics*</c> variable in this
    /// process's environment is passed on as it is and wins.
    /// </summary>
    public bool EnableWorkerDiagnostics { get; set; }

    /// <summary>How long a worker may take to say it is ready before its start counts as failed. Default: <see cref="DefaultWorkerStartTimeout"/>.</summary>
    public TimeSpan WorkerStartTimeout { get; set; } = DefaultWorkerStartTimeout;

    /// <summary>On disposal, how long running requests may take to finish before their workers are killed. Default: <see cref="DefaultShutdownTimeout"/>.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>Receives the pool's events and what workers print on stderr. Default: <see langword="null"/> (nothing is logged).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the pool's <c>ProcessFutures</c> meter (dependency injection gives the host's). Default: <see langword="null"/> (the pool makes its own meter).</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The smallest <see cref="WorkerHeapLimitBytes"/> allowed: 64 MiB.</summary>
    public const long MinWorkerHeapLimitBytes = 64L * 1024 * 1024;

    /// <summary>The heap limit workers get: <see cref="WorkerHeapLimitBytes"/>, or its default; 0 for none.</summary>
    internal long EffectiveWorkerHeapLimit() =>
        WorkerHeapLimitBytes > 0 ? WorkerHeapLimitBytes
        : MaxWorkerMemoryBytes > 0 ? Math.Max(2 * MaxWorkerMemoryBytes, MinWorkerHeapLimitBytes)
        : 0;

    /// <summary>A copy for a pool to keep: the pool checks the options once, so later changes to the caller's object must not reach it.</summary>
    internal ProcessPoolOptions Copy() => (ProcessPoolOptions)MemberwiseClone();

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

        if (WorkerHeapLimitBytes != 0 && WorkerHeapLimitBytes < MinWorkerHeapLimitBytes)
        {
            problems.Add($"WorkerHeapLimitBytes '{WorkerHeapLimitBytes}' must be 0 (the default) or at least {MinWorkerHeapLimitBytes} (64 MiB): a worker needs room to start.");
        }

        if (WorkerPath is { } path && string.IsNullOrWhiteSpace(path))
        {
            problems.Add("WorkerPath is blank; leave it null to use ProcessFutures.dll itself.");
        }

        if (!Enum.IsDefined(Transport))
        {
            problems.Add($"Transport '{Transport}' is not one of: {string.Join(", ", Enum.GetNames<WorkerTransport>())}.");
        }
        else if (Transport == WorkerTransport.Grpc && Infrastructure.TransportPlugin.Find() is null)
        {
            problems.Add(Infrastructure.TransportPlugin.Missing("WorkerTransport.Grpc"));
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
