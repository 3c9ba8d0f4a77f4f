using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// The worker's side of a request's trace: the caller's span context arrives with each request
/// (its W3C traceparent), and becomes the parent of the worker's own span and of HttpClient's, so
/// the server receives a traceparent from the caller's trace.
/// </summary>
internal static class WorkerTelemetry
{
    public static readonly ActivitySource Source = new("ProcessFutures");

    private static bool s_exporting;

    /// <summary>
    /// Exports the worker's own spans (its ProcessFutures spans and HttpClient's) and metrics with
    /// OTLP, when the standard environment asks for it (OTEL_EXPORTER_OTLP_ENDPOINT, or the
    /// traces/metrics ones; the exporter reads the rest: protocol, headers, OTEL_SERVICE_NAME …).
    /// Otherwise nothing is set up and nothing is exported, and OpenTelemetry is not even loaded.
    /// </summary>
    public static void ExportIfAsked()
    {
        bool traces = Asked("OTEL_EXPORTER_OTLP_ENDPOINT") || Asked("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        bool metrics = Asked("OTEL_EXPORTER_OTLP_ENDPOINT") || Asked("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        if (traces || metrics)
        {
            OtlpExport.Start(traces, metrics);
            s_exporting = true;
        }
    }

    private static bool Asked(string variable) => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));

    /// <summary>Sends what is waiting to be exported (the worker is about to exit); at most a second.</summary>
    public static void Flush()
    {
        if (s_exporting)
        {
            OtlpExport.Flush();
        }
    }

    /// <summary>Starts the worker's span for a request, as a child of the caller's; it is current until disposed. Null when the caller sent no context.</summary>
    public static Activity? Start(HttpRequest request)
    {
        if (request.TraceParent is not { Length: > 0 } traceParent)
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

        activity.TraceStateString = request.TraceState.Length > 0 ? request.TraceState : null;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("processfutures.worker.pid", Environment.ProcessId);
        }

        return activity;
    }

    /// <summary>The OpenTelemetry SDK's part, in a type of its own: only a worker asked to export loads it.</summary>
    private static class OtlpExport
    {
        private static TracerProvider? s_tracing;
        private static MeterProvider? s_metrics;

        public static void Start(bool traces, bool metrics)
        {
            ResourceBuilder resource = ResourceBuilder.CreateDefault()
                .AddAttributes([new("processfutures.worker.pid", Environment.ProcessId)]);
            if (Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is null)
            {
                resource.AddService("processfutures-worker");
            }

            if (traces)
            {
                s_tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource("ProcessFutures", "System.Net.Http").AddOtlpExporter().Build();
            }

            if (metrics)
            {
                s_metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter("System.Net.Http", "System.Runtime").AddOtlpExporter().Build();
            }
        }

        public static void Flush()
        {
            s_tracing?.ForceFlush(1000);
            s_metrics?.ForceFlush(1000);
        }
    }
}
