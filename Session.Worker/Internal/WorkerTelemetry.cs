using System.Diagnostics;
using Session.Contracts.Internal;

namespace Session.Worker.Internal;

/// <summary>
/// The worker's side of a request's trace: the caller's span context arrives with each request
/// (its W3C traceparent), and becomes the parent of the worker's own span and of HttpClient's, so
/// the server receives a traceparent from the caller's trace.
/// </summary>
internal static class WorkerTelemetry
{
    public static readonly ActivitySource Source = new("ProcessFutures");

    /// <summary>Starts the worker's span for a request, as a child of the caller's; it is current until disposed. Null when the caller sent no context.</summary>
    public static Activity? Start(HttpRequestData request)
    {
        if (request.TraceParent is not { } traceParent)
        {
            return null;
        }

        Activity? activity = Source.StartActivity($"{request.Method} in worker", ActivityKind.Internal, traceParent);
        if (activity is null)
        {
            // Nobody listens here: a plain activity still carries the context to HttpClient.
            activity = new Activity("ProcessFutures.Worker");
            activity.SetParentId(traceParent);
            activity.Start();
        }

        activity.TraceStateString = request.TraceState;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("processfutures.worker.pid", Environment.ProcessId);
        }

        return activity;
    }
}
