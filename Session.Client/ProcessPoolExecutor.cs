using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// Runs requests in <see cref="MaxWorkers"/> worker processes, each with its own HttpClient,
/// reached over a Unix socket (see <see cref="ProcessPoolOptions.Transport"/>). Callbacks run
/// inside the worker, so a large body can be reduced there and only the result comes back. The
/// counterpart of <c>concurrent.futures.ProcessPoolExecutor</c>, without its breakage: a worker that dies fails
/// only the requests it was running and is replaced; queued requests wait for the next worker.
/// </summary>
/// <remarks>
/// Workers start in the background when the pool is constructed; requests queue until one is
/// ready. The queue holds only requests that callers still wait for (one cancelled while queued
/// leaves it at once). While a worker is being recycled, its replacement already serves, so for
/// a moment one more process than <see cref="MaxWorkers"/> may exist.
/// </remarks>
public sealed partial class ProcessPoolExecutor : IRequestExecutor
{
    // A worker that dies by itself this soon after starting, having served nothing, counts as a failed start (it backs off).
    private static readonly TimeSpan s_minHealthyLife = TimeSpan.FromSeconds(1);

    private readonly ExecutorCore _core;
    private readonly PoolDirectory _directory;
    private readonly WorkerLauncher _launcher;
    private readonly LocalWorker?[] _current;
    private readonly ConcurrentDictionary<LocalWorker, Task> _leaving = new();
    private readonly Task[] _supervisors;
    private readonly Lock _stateLock = new();

    /// <summary>Set when no worker can start in this process (a permanent start failure): supervisors stop trying.</summary>
    private volatile bool _permanentFailure;
    private int _live;
    private int _starting;
    private WorkerStartException? _startFailure;

    /// <summary>Creates the pool and starts its workers in the background.</summary>
    /// <param name="maxWorkers">How many worker processes; 0 (the default): <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="options">Concurrency per worker, recycling, memory limits, worker path and timeouts; default: <c>new ProcessPoolOptions()</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is not valid (the message lists every problem).</exception>
    /// <exception cref="PlatformNotSupportedException">The platform has no Unix domain sockets with file permissions (Windows), or the app is native AOT.</exception>
    /// <exception cref="IOException">No directory for the workers' sockets could be made (the message says what was tried).</exception>
    public ProcessPoolExecutor(int maxWorkers = 0, ProcessPoolOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxWorkers);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("ProcessPoolExecutor runs on Linux and macOS (it relies on Unix sockets in a 0700 directory).");
        }

        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new PlatformNotSupportedException(
                "ProcessPoolExecutor does not run in a native AOT app: its workers find callbacks by reflection and MessagePack builds formatters with dynamic code. Publish without PublishAot (self-contained and single-file apps are supported).");
        }

        Options = options?.Copy() ?? new ProcessPoolOptions();
        List<string> problems = Options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The process pool options are not valid: {string.Join(" ", problems)}", nameof(options));
        }

        MaxWorkers = maxWorkers == 0 ? Environment.ProcessorCount : maxWorkers;
        _core = new ExecutorCore("process", ExecutorCore.Placement.Local, (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ProcessPoolExecutor>(), Options.MeterFactory);
        _core.RefuseNewWhen(NoWorkerCanStart);
        _core.ExplainNoWorkerWith(() => Volatile.Read(ref _startFailure));
        _core.Meter.CreateObservableGauge("processfutures.worker.memory.usage", ObserveWorkerMemory, "By", "The resident memory of each worker process now serving.");
        _directory = PoolDirectory.Create();
        _launcher = new WorkerLauncher(_core, Options, _directory);
        _current = new LocalWorker?[MaxWorkers];
        _supervisors = new Task[MaxWorkers];
        for (int i = 0; i < MaxWorkers; i++)
        {
            int position = i;
            _supervisors[i] = Task.Run(() => SuperviseAsync(position));
        }
    }

    /// <summary>How many worker processes the pool keeps.</summary>
    public int MaxWorkers { get; }

    /// <summary>The process ids of the workers now serving (not those leaving after recycling), for tests and diagnostics.</summary>
    public IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            var ids = new List<int>(MaxWorkers);
            lock (_stateLock)
            {
                foreach (LocalWorker? worker in _current)
                {
                    if (worker is { IsDead: false, IsRetiring: false })
                    {
                        ids.Add(worker.ProcessId);
                    }
                }
            }

            return ids;
        }
    }

    /// <inheritdoc/>
    ExecutorCore IRequestExecutor.Core => _core;

    internal ProcessPoolOptions Options { get; }

    /// <summary>The directory holding this pool's sockets (for tests).</summary>
    internal string SocketDirectory => _directory.Path;

    /// <summary>The token calls must carry (for tests that call a worker directly).</summary>
    internal string Token => _launcher.Token;

    /// <summary>
    /// Cancels queued requests (their tasks end Canceled), lets running ones finish within
    /// <see cref="ProcessPoolOptions.ShutdownTimeout"/>, then stops every worker (killing any
    /// still running) and removes the socket directory. A second call returns the same task.
    /// </summary>
    /// <returns>A task that completes when no worker is left.</returns>
    public ValueTask DisposeAsync() => new(_core.DisposeAsync(StopWorkersAsync));

    /// <summary>Why a request cannot wait for a worker: none runs and none is starting (the pool backs off between attempts).</summary>
    private WorkerStartException? NoWorkerCanStart()
    {
        lock (_stateLock)
        {
            return _live == 0 && _starting == 0 && _startFailure is { } failure ? Copy(failure) : null;
        }
    }

    private IEnumerable<Measurement<long>> ObserveWorkerMemory()
    {
        foreach (int pid in WorkerProcessIds)
        {
            if (ProcessMemory.ResidentBytes(pid) is long resident)
            {
                yield return new Measurement<long>(resident, new KeyValuePair<string, object?>(ProcessFuturesTelemetry.WorkerPidAttribute, pid));
            }
        }
    }
}
