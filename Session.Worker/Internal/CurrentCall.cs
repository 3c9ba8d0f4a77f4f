namespace ProcessFutures.Internal;

/// <summary>The request a slot's stream is running, so that a cancel frame naming it can abort it (and not a later one).</summary>
internal sealed class CurrentCall
{
    private readonly Lock _lock = new();
    private long _callId;
    private CancellationTokenSource? _cancel;
    private long _cancelledEarly;

    public void Begin(long callId, CancellationTokenSource cancel)
    {
        lock (_lock)
        {
            _callId = callId;
            _cancel = cancel;

            // The cancel frame can overtake the request it names: the reader sees it first.
            if (_cancelledEarly == callId)
            {
                cancel.Cancel();
            }
        }
    }

    public void End()
    {
        lock (_lock)
        {
            _cancel = null;
        }
    }

    public void Cancel(long callId)
    {
        lock (_lock)
        {
            if (_callId == callId && _cancel is not null)
            {
                _cancel.Cancel();
            }
            else if (callId > _callId)
            {
                _cancelledEarly = callId;
            }
        }
    }
}
