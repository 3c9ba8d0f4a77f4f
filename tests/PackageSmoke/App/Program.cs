// Program.cs of the app the package smoke test makes with 'dotnet new console' (see ../run.sh):
// it serves a body on 127.0.0.1, has a ProcessPoolExecutor fetch it, and its own static callback
// (SmokeShared.cs) hashes the body in the worker. Exit 0 only when the callback ran in another
// process and the hash is right; 3 when no worker could start (the message is printed, and a
// second request shows whether the pool fails at once without starting anything).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ProcessFutures;

ProcessPoolExecutor.RunWorkerIfRequested(args); // SMOKE:ENTRY (run.sh removes this line for the 'without' case)

// Names this app's own Program: were the package to expose a public Program too, this line would
// not compile (CS0436, a warning made an error by run.sh's Directory.Build.props).
Console.WriteLine($"smoke: this app's Program is in {typeof(Program).Assembly.GetName().Name}");

byte[] body = RandomNumberGenerator.GetBytes(123_457);
using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
int port = ((IPEndPoint)listener.LocalEndpoint).Port;
_ = Task.Run(() => SmokeServer.ServeAsync(listener, body));
string url = $"http://127.0.0.1:{port}/bytes";

using ILoggerFactory logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var clock = Stopwatch.StartNew();
await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = logs });
await using var session = new FuturesSession(pool);
int exitCode;
try
{
    SmokeResult result = await session.GetAsync(url, SmokeCallbacks.Digest).WaitAsync(TimeSpan.FromSeconds(120));
    double firstResponseMs = clock.Elapsed.TotalMilliseconds;
    string expected = Convert.ToHexStringLower(SHA256.HashData(body));
    bool ok = result.ProcessId != Environment.ProcessId && result.Length == body.Length && result.Sha256 == expected;
    Console.WriteLine($"smoke: first response {firstResponseMs:F0} ms after creating the pool");
    Console.WriteLine($"smoke: callback ran in process {result.ProcessId}, app is {Environment.ProcessId}; {result.Length} bytes, sha256 {result.Sha256}, expected {expected}");
    Console.WriteLine(ok ? "smoke: OK" : "smoke: MISMATCH");
    exitCode = ok ? 0 : 1;
}
catch (WorkerStartException exception)
{
    Console.WriteLine($"smoke: WorkerStartException: {exception.Message}");
    var again = Stopwatch.StartNew();
    try
    {
        await session.GetAsync(url, SmokeCallbacks.Digest).WaitAsync(TimeSpan.FromSeconds(120));
        Console.WriteLine("smoke: a second request succeeded");
    }
    catch (WorkerStartException)
    {
        Console.WriteLine($"smoke: a second request failed in {again.ElapsedMilliseconds} ms; child processes: {SmokeServer.ChildProcesses()}");
    }

    exitCode = 3;
}

return exitCode;
