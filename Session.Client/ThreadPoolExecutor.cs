using System.Threading.Channels;
using Session.Client.Internal;
using Session.Contracts;
using Session.Contracts.Internal;
using Session.Shared;

namespace Session.Client;

/// <summary>
/// Runs requests in this process, at most <see cref="MaxWorkers"/> at once; the rest wait in
/// order of submission. Callbacks run on the thread that completed the request (a thread-pool
/// thread). The counterpart of <c>concurrent.futures.ThreadPoolExecutor</c>, without dedicated
/// threads: a waiting request holds no thread.
/// </summary>
/// <remarks>
/// The queue is unbounded in count, and bounded by what callers hold: each queued entry is a
/// task some caller is holding. Entries cancelled while queued end at once and are skipped.
/// </remarks>
public sealed class ThreadPoolExecutor : IRequestExecutor
{
    /// <summary>The default of <c>maxWorkers</c>: 8.</summary>
    public const int DefaultMaxWorkers = 8;

    private readonly Channel<PendingWork> _queue = Channel.CreateUnbounded<PendingWork>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task[] _workers;
    private int _disposed;

    /// <summary>Creates an executor that runs at most <paramref name="maxWorkers"/> requests at once.</summary>
    /// <param name="maxWorkers">At least 1. Default: <see cref="DefaultMaxWorkers"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public ThreadPoolExecutor(int maxWorkers = DefaultMaxWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        MaxWorkers = maxWorkers;
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
    /// finish, and stops. A second call does nothing; submitting afterwards throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes when no request of this executor is running.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _disposing.Cancel();
        while (_queue.Reader.TryRead(out PendingWork? work))
        {
            work.CancelQueued(_disposing.Token);
        }

        await Task.WhenAll(_workers).ConfigureAwait(false);
        _disposing.Dispose();
    }

    void IRequestExecutor.Validate(FuturesSession session)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    CallbackReference? IRequestExecutor.PrepareCallback(Delegate callback, Type resultType) => null;

    void IRequestExecutor.Submit(PendingWork work)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(ThreadPoolExecutor));
        }
    }

    private async Task RunWorkerAsync()
    {
        // Each loop is one worker: it takes the next queued request only when its last one ended.
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_disposing.Token).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out PendingWork? work))
                {
                    if (work.TryStart())
                    {
                        await RunAsync(work).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // Disposed: queued work is cancelled by DisposeAsync.
        }
    }

    private static async Task RunAsync(PendingWork work)
    {
        try
        {
            Response response;
            using (var deadline = new RequestDeadline(work.Request.Timeout, work.CancellationToken))
            {
                try
                {
                    ReadOnlyMemory<byte>? body = work.Request.Content is { } bytes ? bytes : null;
                    ExchangeResult exchange = await HttpExchange.SendAsync(work.Session.HttpClient, work.Request, body, work.Session.Jar, deadline.Token).ConfigureAwait(false);
                    response = await HttpExchange.ReadResponseAsync(exchange, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException exception)
                {
                    work.Fail(deadline.Translate(exception));
                    return;
                }
            }

            // The callback, if any, runs here, on this worker's thread, outside the request's timeout.
            work.Complete(response);
        }
        catch (Exception exception)
        {
            work.Fail(exception);
        }
    }
}
