using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// A local pool's worker on <see cref="WorkerTransport.Grpc"/>: Kestrel on the worker's Unix
/// socket, HTTP/2 only, the pool's token required on every call; the same worker behind it as on
/// the socket transport. It runs until its process exits (the pool closes its stdin).
/// </summary>
internal static class LocalGrpcWorkerHost
{
    public static int Run(string socketPath, string token, WorkerServer server)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = null;

            // A slot's stream lives as long as the slot and is idle between requests: no data-rate minimums.
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
            options.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(options =>
        {
            options.EnableDetailedErrors = false;
            options.MaxReceiveMessageSize = MessageStream.MaxMessage;
        });
        builder.Services.AddSingleton(server);
        builder.Services.AddSingleton<WorkerGrpcService>();

        WebApplication app = builder.Build();
        app.Use(new TokenCheck(token, NullLogger.Instance).InvokeAsync);
        app.UseRouting();
        app.MapGrpcService<WorkerGrpcService>();
        app.Start();

        Console.Out.WriteLine(WorkerEnvironment.ReadyLine);
        Console.Out.Flush();
        app.WaitForShutdown();
        return 0;
    }
}
