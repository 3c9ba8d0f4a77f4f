using System.Collections.Concurrent;

namespace Session.Worker.Internal;

/// <summary>
/// The calls a worker is running, by call id, so that the Cancel RPC can abort one. A cancel may
/// arrive before its call is registered (the two are dispatched separately): such ids are kept
/// in a small bounded set that registration checks. Ids are never reused, so a stale entry for
/// a call that already ended does nothing.
/// </summary>
internal sealed class RunningCalls
{
    private const int EarlyCancelsKept = 1024;

    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly ConcurrentQueue<long> _earlyOrder = new();
    private readonly ConcurrentDictionary<long, byte> _early = new();

    public void Register(long callId, CancellationTokenSource cancel)
    {
        _running[callId] = cancel;
        if (_early.TryRemove(callId, out _))
        {
            cancel.Cancel();
        }
    }

    public void Unregister(long callId) => _running.TryRemove(callId, out _);

    public void Cancel(long callId)
    {
        if (_running.TryGetValue(callId, out CancellationTokenSource? cancel))
        {
            cancel.Cancel();
            return;
        }

        _early[callId] = 0;
        _earlyOrder.Enqueue(callId);
        while (_earlyOrder.Count > EarlyCancelsKept && _earlyOrder.TryDequeue(out long oldest))
        {
            _early.TryRemove(oldest, out _);
        }

        // Registered meanwhile: cancel it now (Register may have missed the early entry).
        if (_running.TryGetValue(callId, out cancel))
        {
            cancel.Cancel();
        }
    }
}
