using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// Runs requests in this process, at most <see cref="MaxWorkers"/> at once; the rest wait in
/// order of submission. Callbacks run on the thread that completed the request (a thread-pool
/// thread). The counterpart of <c>concurrent.futures.ThreadPoolExecutor</c>, without dedicated
/// threads: a waiting request holds no thread.
/// </summary>
/// <remarks>
/// A request holds its place among the <see cref="MaxWorkers"/> until its task has its result and,
/// for a streamed response, until the body is read to its end or the response disposed. The queue
/// holds only requests that callers still wait for: one cancelled while queued leaves it at once.
/// </remarks>
public sealed class ThreadPoolExecutor : IRequestExecutor
{
    /// <summary>The default of <c>maxWorkers</c>: 8.</summary>
    public const int DefaultMaxWorkers = 8;

    private readonly WorkQueue _queue;
    private readonly ExecutorTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Task[] _workers;
    private readonly DisposeOnce _disposal = new();

    /// <summary>Creates an executor that runs at most <paramref name="maxWorkers"/> requests at once.</summary>
    /// <param name="maxWorkers">At least 1. Default: <see cref="DefaultMaxWorkers"/>.</param>
    /// <param name="loggerFactory">Receives the executor's events (none per request). Default: none.</param>
    /// <param name="meterFactory">Creates its <c>ProcessFutures</c> meter. Default: none (it makes its own meter).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public ThreadPoolExecutor(int maxWorkers = DefaultMaxWorkers, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        MaxWorkers = maxWorkers;
        _telemetry = new ExecutorTelemetry("thread", meterFactory);
        _queue = new WorkQueue(_telemetry.Queued);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ThreadPoolExecutor>();
        ThreadPoolLog.Started(_logger, maxWorkers);
        _workers = new Task[maxWorkers];
        for (int i = 0; i < maxWorkers; i++)
        {
            _workers[i] = Task.Run(RunWorkerAsync);
        }
    }

    /// <inheritdoc/>
    public int MaxWorkers { get; }

    /// <summary>
    /// Cancels every queued request (their tasks end Canceled), waits for the running ones to
    /// finish, and stops. A second call returns the same task; submitting afterwards throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes when no request of this executor is running.</returns>
    public ValueTask DisposeAsync() => new(_disposal.Run(ShutDownAsync));

    void IRequestExecutor.Validate(SessionContext session) => _disposal.ThrowIfDisposed(this);

    ExecutorTelemetry IRequestExecutor.Telemetry => _telemetry;

    CallbackReference? IRequestExecutor.PrepareCallback(Delegate callback) => null;

    void IRequestExecutor.Submit(PendingWork work)
    {
        work.Queue = _queue;
        if (!_queue.TryEnqueue(work))
        {
            throw new ObjectDisposedException(nameof(ThreadPoolExecutor));
        }
    }

    private async Task ShutDownAsync()
    {
        foreach (PendingWork work in _queue.Drain(complete: true))
        {
            work.CancelQueued(CancellationToken.None);
        }

        await Task.WhenAll(_workers).ConfigureAwait(false);
        ThreadPoolLog.Stopped(_logger);
        _telemetry.Dispose();
    }

    private async Task RunWorkerAsync()
    {
        // Each loop is one worker: it takes the next queued request only when its last one ended.
        while (await _queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false) is { } work)
        {
            if (work.TryStart())
            {
                await InProcessRunner.RunAsync(work).ConfigureAwait(false);
            }
        }
    }
}
