namespace ProcessFutures.Internal;

/// <summary>
/// A request's timeout joined with its caller's token, and the translation HttpClient users
/// expect: a timeout surfaces as <see cref="TaskCanceledException"/> whose inner exception is a
/// <see cref="TimeoutException"/>; the caller's own cancellation stays a plain cancellation.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _callerToken;
    private readonly TimeSpan _timeout;
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    public RequestDeadline(TimeSpan timeout, CancellationToken callerToken)
    {
        _timeout = timeout;
        _callerToken = callerToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            _source.CancelAfter(timeout);
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The timeout.</summary>
    public TimeSpan Timeout => _timeout;

    public bool TimedOut => _source.IsCancellationRequested && !_callerToken.IsCancellationRequested;

    /// <summary>What is left of the timeout (at least a tick while not timed out); <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan Remaining =>
        _timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? _timeout
            : TimeSpan.FromTicks(Math.Max(1, (_timeout - System.Diagnostics.Stopwatch.GetElapsedTime(_started)).Ticks));

    public static TaskCanceledException TimeoutException(TimeSpan timeout)
    {
        string message = $"The request was canceled due to the configured timeout of {timeout.TotalSeconds} seconds elapsing.";
        return new TaskCanceledException(message, new TimeoutException(message));
    }

    /// <summary>Stops the clock (a streamed response's headers arrived: the reader sets the pace now); the caller's token still applies.</summary>
    public void Disarm()
    {
        if (!_source.IsCancellationRequested)
        {
            _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Returns the exception to surface for a cancellation seen while the request ran.</summary>
    public Exception Translate(OperationCanceledException exception) =>
        TimedOut ? TimeoutException(_timeout) : exception;

    public void Dispose() => _source.Dispose();
}
