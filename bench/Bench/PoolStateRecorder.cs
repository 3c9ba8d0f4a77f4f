using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bench;

/// <summary>
/// The meter factory of one pool (<c>ProcessPoolOptions.MeterFactory</c>) that also listens to
/// that pool's meter alone: it records, with a Stopwatch timestamp, each change of
/// <c>processfutures.worker.count</c> by state (starting, ready, draining) and each
/// <c>processfutures.worker.exits</c> by reason. Meters are told apart by their scope (this
/// factory), so other pools alive in the process are not heard.
/// </summary>
internal sealed class PoolStateRecorder : IMeterFactory
{
    public const string Starting = "starting";
    public const string Ready = "ready";
    public const string Draining = "draining";
    public const string RecycleTasks = "recycle_tasks";

    private const string WorkerCount = "processfutures.worker.count";
    private const string WorkerExits = "processfutures.worker.exits";
    private const string StateTag = "processfutures.worker.state";
    private const string ExitReasonTag = "processfutures.worker.exit_reason";

    private readonly Lock _lock = new();
    private readonly List<Meter> _meters = [];
    private readonly List<(long Timestamp, string State, long Change)> _states = [];
    private readonly List<(long Timestamp, string Reason)> _exits = [];
    private readonly MeterListener _listener = new();

    public PoolStateRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this) && instrument.Name is WorkerCount or WorkerExits)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(Measured);
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        options.Scope = this;
        var meter = new Meter(options);
        lock (_lock)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    /// <summary>
    /// The intervals (Stopwatch timestamps, in order, disjoint) in which the pool was not at rest:
    /// fewer than <paramref name="workers"/> workers ready, or one starting, or one draining, or a
    /// replacement (a worker ready after the first <paramref name="workers"/>) yet to answer, its
    /// first answer being one of <paramref name="replacementFirstAnswers"/>. From the first event
    /// on (the pool's own start is the first such interval); one still open ends at <see cref="long.MaxValue"/>.
    /// </summary>
    public List<(long Start, long End)> NotAtRest(int workers, IEnumerable<long> replacementFirstAnswers)
    {
        List<(long Timestamp, string State, long Change)> events;
        lock (_lock)
        {
            events = [.. _states];
        }

        const string Answered = "answered";
        events.AddRange(replacementFirstAnswers.Select(t => (t, Answered, -1L)));
        events.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));

        var intervals = new List<(long Start, long End)>();
        long ready = 0, starting = 0, draining = 0, readied = 0, awaitingFirstAnswer = 0;
        long? opened = null;
        foreach ((long timestamp, string state, long change) in events)
        {
            switch (state)
            {
                case Ready:
                    ready += change;
                    if (change > 0 && ++readied > workers)
                    {
                        awaitingFirstAnswer++;
                    }

                    break;
                case Starting:
                    starting += change;
                    break;
                case Draining:
                    draining += change;
                    break;
                case Answered:
                    awaitingFirstAnswer--;
                    break;
            }

            bool atRest = ready >= workers && starting == 0 && draining == 0 && awaitingFirstAnswer <= 0;
            if (!atRest && opened is null)
            {
                opened = timestamp;
            }
            else if (atRest && opened is { } start)
            {
                intervals.Add((start, timestamp));
                opened = null;
            }
        }

        if (opened is { } stillOpen)
        {
            intervals.Add((stillOpen, long.MaxValue));
        }

        return intervals;
    }

    /// <summary>The timestamps at which a worker began to drain (it stopped taking requests to be replaced) in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public List<long> DrainsBegun(long from, long to)
    {
        lock (_lock)
        {
            return [.. _states.Where(s => s.State == Draining && s.Change > 0 && s.Timestamp >= from && s.Timestamp < to).Select(s => s.Timestamp)];
        }
    }

    /// <summary>How many workers exited for <paramref name="reason"/> in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public int Exits(string reason, long from, long to)
    {
        lock (_lock)
        {
            return _exits.Count(e => e.Reason == reason && e.Timestamp >= from && e.Timestamp < to);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        Meter[] meters;
        lock (_lock)
        {
            meters = [.. _meters];
            _meters.Clear();
        }

        foreach (Meter meter in meters)
        {
            meter.Dispose();
        }
    }

    private void Measured(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        long now = Stopwatch.GetTimestamp();
        string? tagged = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key is StateTag or ExitReasonTag)
            {
                tagged = tag.Value as string;
            }
        }

        if (tagged is null)
        {
            return;
        }

        lock (_lock)
        {
            if (instrument.Name == WorkerCount)
            {
                _states.Add((now, tagged, measurement));
            }
            else
            {
                _exits.Add((now, tagged));
            }
        }
    }
}
