using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// Runs requests in this process, at most <see cref="MaxWorkers"/> at once; the rest wait in
/// order of submission. Callbacks run on the thread that completed the request (a thread-pool
/// thread). The counterpart of <c>concurrent.futures.ThreadPoolExecutor</c>, without dedicated
/// threads: a waiting request holds no thread. It runs each request with the same code a worker
/// process runs it with.
/// </summary>
/// <remarks>
/// A request holds its place among the <see cref="MaxWorkers"/> until its task has its result and,
/// for a streamed response, until the body is read to its end or the response disposed (or
/// collected without being disposed). The queue holds only requests that callers still wait for:
/// one cancelled, or timed out, while queued leaves it at once.
/// </remarks>
public sealed class ThreadPoolExecutor : IRequestExecutor
{
    /// <summary>The default of <c>maxWorkers</c>: 8.</summary>
    public const int DefaultMaxWorkers = 8;

    private readonly ExecutorCore _core;
    private readonly Task[] _workers;

    /// <summary>Creates an executor that runs at most <paramref name="maxWorkers"/> requests at once.</summary>
    /// <param name="maxWorkers">At least 1. Default: <see cref="DefaultMaxWorkers"/>.</param>
    /// <param name="loggerFactory">Receives the executor's events (none per request). Default: none.</param>
    /// <param name="meterFactory">Creates its <c>ProcessFutures</c> meter. Default: none (it makes its own meter).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public ThreadPoolExecutor(int maxWorkers = DefaultMaxWorkers, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        MaxWorkers = maxWorkers;
        _core = new ExecutorCore("thread", ExecutorCore.Placement.InProcess, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ThreadPoolExecutor>(), meterFactory);
        ThreadPoolLog.Started(_core.Logger, maxWorkers);
        _workers = new Task[maxWorkers];
        for (int i = 0; i < maxWorkers; i++)
        {
            _workers[i] = Task.Run(RunWorkerAsync);
        }
    }

    /// <inheritdoc/>
    public int MaxWorkers { get; }

    /// <inheritdoc/>
    ExecutorCore IRequestExecutor.Core => _core;

    /// <summary>
    /// Cancels every queued request (their tasks end Canceled), waits for the running ones to
    /// finish, and stops. A second call returns the same task; submitting afterwards throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes when no request of this executor is running.</returns>
    public ValueTask DisposeAsync() => new(_core.DisposeAsync(async () =>
    {
        await Task.WhenAll(_workers).ConfigureAwait(false);
        ThreadPoolLog.Stopped(_core.Logger);
    }));

    private async Task RunWorkerAsync()
    {
        // Each loop is one worker: it takes the next queued request only when its last one ended.
        // The request runs in a method of its own, so that nothing here holds it (or its response)
        // while a streamed body holds the slot: a response dropped without being disposed can be
        // collected, and give the slot back.
        while (true)
        {
            (bool more, SlotLease? held) = await TakeAndRunAsync().ConfigureAwait(false);
            if (held is not null && await held.Ended.ConfigureAwait(false) == LeaseEnd.Collected)
            {
                SlotLog.StreamCollected(_core.Logger, Describe.Url(held.Url));
            }

            if (!more)
            {
                return;
            }
        }
    }

    private async Task<(bool More, SlotLease? Held)> TakeAndRunAsync()
    {
        if (await _core.Queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false) is not { } work)
        {
            return (false, null);
        }

        return (true, work.TryStart() ? await LocalRun.RunAsync(work).ConfigureAwait(false) : null);
    }
}
