using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>A request's span and measurements: begun at submission, ended with the request, whatever ends it.</summary>
internal abstract partial class PendingWork
{
    private long _submittedAt;

    /// <summary>The span from submission to result, when something listens to the ProcessFutures source.</summary>
    public Activity? Activity { get; private set; }

    /// <summary>The caller's current activity at submission: the parent of the HTTP spans when ours is not recorded.</summary>
    public Activity? CallerActivity { get; private set; }

    /// <summary>The status code of the response, once known (for metrics and the span, whatever the task yields).</summary>
    public int? StatusCode { get; set; }

    /// <summary>The worker that ran it, once known.</summary>
    public int? WorkerProcessId { get; set; }

    private ExecutorTelemetry? Telemetry { get; set; }

    /// <summary>How long since the request was submitted.</summary>
    public TimeSpan WaitedInQueue => Stopwatch.GetElapsedTime(_submittedAt);

    /// <summary>Starts the request's span (a child of the caller's current activity, which stays current) and its clock.</summary>
    public void BeginTelemetry(ExecutorTelemetry telemetry)
    {
        Telemetry = telemetry;
        _submittedAt = Stopwatch.GetTimestamp();
        CallerActivity = Activity.Current;
        Activity = telemetry.StartRequest(Request);
        if (Activity is not null)
        {
            // The span describes work done in the background: the caller's code goes on under its own.
            Activity.Current = CallerActivity;
        }

        if ((Activity ?? CallerActivity) is { IdFormat: ActivityIdFormat.W3C } parent)
        {
            Request.TraceParent = parent.Id;
            Request.TraceState = parent.TraceStateString ?? string.Empty;
        }
    }

    private void EndTelemetry(Outcome outcome, bool wasRunning)
    {
        if (Telemetry is not { } telemetry)
        {
            return;
        }

        if (wasRunning)
        {
            telemetry.Stopped();
        }

        if (!telemetry.RecordsEnd(Activity))
        {
            // Nobody listens: no tags to box, no error type to format, on every request.
            return;
        }

        int? status = outcome.Result is Response response ? response.StatusCode : StatusCode;
        string? errorType = outcome.IsCanceled ? typeof(OperationCanceledException).FullName
            : outcome.Exception is { } exception ? exception.GetType().FullName
            : status >= 400 ? status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
        telemetry.Ended(Activity, Request.Method, Stopwatch.GetElapsedTime(_submittedAt), status, errorType, WorkerProcessId);
    }
}
