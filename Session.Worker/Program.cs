using Microsoft.AspNetCore.Server.Kestrel.Core;
using Session.Contracts.Internal;
using Session.Worker;
using Session.Worker.Internal;

// A worker of a ProcessPoolExecutor. It is started by the pool, never by hand: the pool passes
// the socket path, the token and its own pid through the environment, and reads "ready" from
// stdout. It listens on a Unix socket only (no TCP), refuses calls without the token, and exits
// when its parent goes away (stdin closes, or the parent pid changes).
string? socketPath = Environment.GetEnvironmentVariable(WorkerEnvironment.SocketPath);
string? token = Environment.GetEnvironmentVariable(WorkerEnvironment.Token);
if (string.IsNullOrEmpty(socketPath) || string.IsNullOrEmpty(token)
    || !int.TryParse(Environment.GetEnvironmentVariable(WorkerEnvironment.ParentProcessId), out int parentPid))
{
    await Console.Error.WriteLineAsync(
        $"Session.Worker is started by ProcessPoolExecutor, which sets {WorkerEnvironment.SocketPath}, {WorkerEnvironment.Token} and {WorkerEnvironment.ParentProcessId}; one or more is missing.");
    return 2;
}

Environment.SetEnvironmentVariable(WorkerEnvironment.Token, null);
ParentWatcher.Start(parentPid);

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
builder.Services.AddSingleton<RequestRunner>();

WebApplication app = builder.Build();
app.Use(new TokenCheck(token).InvokeAsync);
app.UseRouting();
app.MapGrpcService<WorkerService>();
await app.StartAsync();

await Console.Out.WriteLineAsync(WorkerEnvironment.ReadyLine);
await Console.Out.FlushAsync();
await app.WaitForShutdownAsync();
return 0;
