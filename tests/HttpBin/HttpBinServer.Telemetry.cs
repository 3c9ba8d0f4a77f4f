using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HttpBin;

/// <summary>An OTLP/HTTP sink: POST /v1/traces, /v1/metrics, /v1/logs are kept, so tests can see what a process exported.</summary>
public sealed partial class HttpBinServer
{
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _exports = new();

    /// <summary>The OTLP export requests received for <paramref name="signal"/> (traces, metrics, logs): their protobuf bodies.</summary>
    public IReadOnlyList<byte[]> Exports(string signal) => [.. _exports.Where(e => e.Signal == signal).Select(e => e.Body)];

    private void MapTelemetry(WebApplication app) =>
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            _exports.Enqueue((signal, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
}
