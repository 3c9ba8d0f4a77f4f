using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs a worker of a ProcessPoolExecutor until its parent goes away. It is started by the pool,
/// never by hand: the pool passes the socket path, the token and its own pid through the
/// environment, and reads the ready line from stdout. It listens on a Unix socket only (no TCP),
/// refuses streams without the token, and exits when its parent goes away (stdin closes, or the
/// parent pid changes). With <c>--remote</c> it runs a remote worker instead (ProcessFutures.Remote).
/// </summary>
/// <remarks>
/// Two entry points call it: ProcessFutures.dll's own <c>Main</c> (framework-dependent apps, where
/// the pool starts ProcessFutures.dll with the dotnet host), and
/// <c>ProcessPoolExecutor.RunWorkerIfRequested</c> (self-contained and single-file apps, where the
/// pool starts the app itself). It is synchronous on purpose: it owns the process's main thread,
/// which has nothing else to do.
/// </remarks>
internal static class WorkerHost
{
    /// <summary>Runs the worker; returns the process's exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Contains(WorkerEnvironment.RemoteSwitch))
        {
            if (TransportPlugin.Find() is { } remote)
            {
                return remote.RunRemoteWorker(args);
            }

            Console.Error.WriteLine(TransportPlugin.Missing($"A remote worker ({WorkerEnvironment.RemoteSwitch})"));
            return 2;
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
        using var server = new WorkerServer(remote: false);
        if (Environment.GetEnvironmentVariable(WorkerEnvironment.Transport) != WorkerEnvironment.GrpcTransport)
        {
            return SocketWorkerHost.Run(socketPath, token, server);
        }

        if (TransportPlugin.Find() is { } grpc)
        {
            return grpc.RunLocalWorker(socketPath, token, server);
        }

        Console.Error.WriteLine(TransportPlugin.Missing("WorkerTransport.Grpc"));
        return 2;
    }
}
