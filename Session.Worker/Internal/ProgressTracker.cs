using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>
/// Counts a request's bytes both ways and reports <see cref="TransferProgress"/> to a sink at
/// most every 100 ms, and once more, with the final counts, on <see cref="Complete"/>. Counts
/// only grow, and reports reach the sink in order: it is called under the tracker's lock, on
/// whichever thread moved the bytes, so it must be quick (<see cref="Progress{T}"/> posts and
/// returns).
/// </summary>
[DebuggerDisplay("sent {_sent}/{_totalToSend}, received {_received}/{_totalToReceive}, completed {_completed}")]
internal sealed class ProgressTracker(Action<TransferProgress> sink)
{
    private static readonly long s_interval = Stopwatch.Frequency / 10;

    private readonly Lock _lock = new();
    private long _sent;
    private long? _totalToSend;
    private long _received;
    private long? _totalToReceive;
    private long _lastReport;
    private bool _completed;

    public TransferProgress Current
    {
        get
        {
            lock (_lock)
            {
                return Snapshot();
            }
        }
    }

    public void SetTotalToSend(long? total)
    {
        lock (_lock)
        {
            _totalToSend = total;
        }
    }

    public void SetTotalToReceive(long? total)
    {
        lock (_lock)
        {
            _totalToReceive = total;
        }
    }

    public void AddSent(long count) => Add(count, 0);

    public void AddReceived(long count) => Add(0, count);

    /// <summary>Takes counts measured elsewhere (a worker's report); counts never go back.</summary>
    public void Update(TransferProgress progress)
    {
        lock (_lock)
        {
            _sent = Math.Max(_sent, progress.BytesSent);
            _received = Math.Max(_received, progress.BytesReceived);
            _totalToSend = progress.TotalBytesToSend ?? _totalToSend;
            _totalToReceive = progress.TotalBytesToReceive ?? _totalToReceive;
            ReportIfDue();
        }
    }

    /// <summary>Reports the final counts, once; later calls and counts are ignored.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (!_completed)
            {
                _completed = true;
                sink(Snapshot());
            }
        }
    }

    private void Add(long sent, long received)
    {
        lock (_lock)
        {
            _sent += sent;
            _received += received;
            ReportIfDue();
        }
    }

    private void ReportIfDue()
    {
        long now = Stopwatch.GetTimestamp();
        if (!_completed && now - _lastReport >= s_interval)
        {
            _lastReport = now;
            sink(Snapshot());
        }
    }

    private TransferProgress Snapshot() => new(_sent, _totalToSend, _received, _totalToReceive);
}
