using System.Diagnostics;
using System.Diagnostics.Metrics;
using ProcessFutures.Infrastructure;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One executor's metrics (a <see cref="Meter"/> named ProcessFutures, from the
/// <see cref="IMeterFactory"/> when one is given) and its requests' spans. Every request gets a
/// span from submission to result (queue, exchange, callback); its duration and time in the queue
/// are recorded when it ends.
/// </summary>
internal sealed class ExecutorTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _executorTag;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeInQueue;
    private readonly UpDownCounter<long> _active;
    private readonly UpDownCounter<long> _queueLength;
    private readonly UpDownCounter<long> _workers;
    private readonly Counter<long> _exits;

    public ExecutorTelemetry(string executor, IMeterFactory? meterFactory)
    {
        Executor = executor;
        _executorTag = new(ProcessFuturesTelemetry.ExecutorAttribute, executor);
        var options = new MeterOptions(ProcessFuturesTelemetry.Name) { Version = ProcessFuturesTelemetry.Version };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;
        _duration = _meter.CreateHistogram<double>("processfutures.request.duration", "s", "From submission to result: queue, exchange and callback.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60] });
        _timeInQueue = _meter.CreateHistogram<double>("processfutures.request.time_in_queue", "s", "How long requests waited for a slot.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60] });
        _active = _meter.CreateUpDownCounter<long>("processfutures.active_requests", "{request}", "Requests running now.");
        _queueLength = _meter.CreateUpDownCounter<long>("processfutures.queue.length", "{request}", "Requests waiting for a slot.");
        _workers = _meter.CreateUpDownCounter<long>("processfutures.worker.count", "{worker}", "Worker processes, by state: starting, ready, draining.");
        _exits = _meter.CreateCounter<long>("processfutures.worker.exits", "{worker}", "Worker processes that ended, by reason.");
    }

    /// <summary>thread or process.</summary>
    public string Executor { get; }

    public Meter Meter => _meter;

    /// <summary>Starts a request's span, as a child of the caller's current activity; null when nobody listens.</summary>
    public Activity? StartRequest(HttpRequest request)
    {
        Activity? activity = ProcessFuturesTelemetry.Source.StartActivity(request.Method, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(ProcessFuturesTelemetry.MethodAttribute, request.Method);
            activity.SetTag(ProcessFuturesTelemetry.ExecutorAttribute, Executor);
            if (Uri.TryCreate(request.Url, UriKind.RelativeOrAbsolute, out Uri? url))
            {
                activity.SetTag(ProcessFuturesTelemetry.UrlAttribute, ProcessFuturesTelemetry.Redact(url));
                if (url.IsAbsoluteUri)
                {
                    activity.SetTag(ProcessFuturesTelemetry.ServerAddressAttribute, url.Host);
                    activity.SetTag(ProcessFuturesTelemetry.ServerPortAttribute, url.Port);
                }
            }
        }

        return activity;
    }

    /// <summary>Whether <see cref="Ended"/> has anything to do: a span to end, or a listener to the duration.</summary>
    public bool RecordsEnd(Activity? activity) => activity is not null || _duration.Enabled;

    public void Queued(int count) => _queueLength.Add(count, _executorTag);

    public void Started(TimeSpan waited)
    {
        _timeInQueue.Record(waited.TotalSeconds, _executorTag);
        _active.Add(1, _executorTag);
    }

    public void Stopped() => _active.Add(-1, _executorTag);

    /// <summary>Records a request's end: its duration with its method, status and error type; tags and ends its span.</summary>
    public void Ended(Activity? activity, string method, TimeSpan duration, int? statusCode, string? errorType, int? workerProcessId)
    {
        var tags = new TagList
        {
            _executorTag,
            { ProcessFuturesTelemetry.MethodAttribute, method },
        };
        if (statusCode is int status)
        {
            tags.Add(ProcessFuturesTelemetry.StatusCodeAttribute, status);
        }

        if (errorType is not null)
        {
            tags.Add(ProcessFuturesTelemetry.ErrorTypeAttribute, errorType);
        }

        _duration.Record(duration.TotalSeconds, tags);
        if (activity is null)
        {
            return;
        }

        if (statusCode is int code)
        {
            activity.SetTag(ProcessFuturesTelemetry.StatusCodeAttribute, code);
        }

        if (workerProcessId is int pid)
        {
            activity.SetTag(ProcessFuturesTelemetry.WorkerPidAttribute, pid);
        }

        if (errorType is not null)
        {
            activity.SetTag(ProcessFuturesTelemetry.ErrorTypeAttribute, errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Stop();
    }

    public void WorkerState(string state, int change) =>
        _workers.Add(change, _executorTag, new KeyValuePair<string, object?>(ProcessFuturesTelemetry.WorkerStateAttribute, state));

    public void WorkerExited(WorkerExitReason reason) =>
        _exits.Add(1, _executorTag, new KeyValuePair<string, object?>(ProcessFuturesTelemetry.ExitReasonAttribute, ExitReasonName(reason)));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string ExitReasonName(WorkerExitReason reason) => reason switch
    {
        WorkerExitReason.RecycleTasks => "recycle_tasks",
        WorkerExitReason.RecycleMemory => "recycle_memory",
        WorkerExitReason.Timeout => "timeout",
        WorkerExitReason.Shutdown => "shutdown",
        _ => "crash",
    };
}
