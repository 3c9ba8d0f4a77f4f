using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs a worker of a ProcessPoolExecutor until its parent goes away. It is started by the pool,
/// never by hand: the pool passes the socket path, the token and its own pid through the
/// environment, and reads the ready line from stdout. It listens on a Unix socket only (no TCP),
/// refuses calls without the token, and exits when its parent goes away (stdin closes, or the
/// parent pid changes).
/// </summary>
/// <remarks>
/// Two entry points call it: Session.Worker's own <c>Main</c> (framework-dependent apps, where the
/// pool starts ProcessFutures.dll with the dotnet host), and
/// <c>ProcessPoolExecutor.RunWorkerIfRequested</c> (self-contained and single-file apps, where the
/// pool starts the app itself). It is synchronous on purpose: it owns the process's main thread,
/// which has nothing else to do, and uses the hosting API's own blocking calls.
/// </remarks>
internal static class WorkerHost
{
    /// <summary>Runs the worker; returns the process's exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains(WorkerEnvironment.RemoteSwitch))
        {
            return RemoteWorkerHost.Run(args);
        }

        string? socketPath = Environment.GetEnvironmentVariable(WorkerEnvironment.SocketPath);
        string? token = Environment.GetEnvironmentVariable(WorkerEnvironment.Token);
        if (string.IsNullOrEmpty(socketPath) || string.IsNullOrEmpty(token)
            || !int.TryParse(Environment.GetEnvironmentVariable(WorkerEnvironment.ParentProcessId), out int parentPid))
        {
            Console.Error.WriteLine(
                $"A ProcessFutures worker is started by ProcessPoolExecutor, which sets {WorkerEnvironment.SocketPath}, {WorkerEnvironment.Token} and {WorkerEnvironment.ParentProcessId}; one or more is missing.");
            return 2;
        }

        // Read once; nothing this process starts (a callback may start processes) inherits them.
        Environment.SetEnvironmentVariable(WorkerEnvironment.Token, null);
        Environment.SetEnvironmentVariable(WorkerEnvironment.RunAsWorker, null);
        ParentWatcher.Start(parentPid);
        WorkerTelemetry.ExportIfAsked();
        if (Environment.GetEnvironmentVariable(WorkerEnvironment.Transport) != WorkerEnvironment.GrpcTransport)
        {
            return SocketWorkerHost.Run(socketPath, token);
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
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
            options.MaxReceiveMessageSize = WireLimits.MaxMessage;
        });
        builder.Services.AddSingleton<HttpClientCache>();
        builder.Services.AddSingleton<CallbackRegistry>();
        builder.Services.AddSingleton(new WorkerLifetime());
        builder.Services.AddSingleton<RequestRunner>();

        WebApplication app = builder.Build();
        app.Use(new TokenCheck(token).InvokeAsync);
        app.UseRouting();
        app.MapGrpcService<WorkerService>();
        app.Start();

        Console.Out.WriteLine(WorkerEnvironment.ReadyLine);
        Console.Out.Flush();
        app.WaitForShutdown();
        return 0;
    }
}
