using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>The worker's entry point inside the app, for apps that are their own worker.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>
    /// Lets a self-contained or single-file app be its own worker process, as Python's
    /// <c>multiprocessing.freeze_support()</c> does. Call it as the first line of <c>Main</c> (with
    /// top-level statements: the first statement of Program.cs). In a normal run it returns at
    /// once. In a process that a <see cref="ProcessPoolExecutor"/> started as its worker, it runs
    /// the worker and ends the process: it never returns.
    /// </summary>
    /// <remarks>
    /// A framework-dependent app (<c>dotnet run</c>, <c>dotnet test</c>, a framework-dependent
    /// publish) does not need it: its pool starts the worker that comes with the package. A
    /// self-contained or single-file app has no separate worker to start, so its pool starts the
    /// app itself, and only if this was called: without it, every request fails at once with a
    /// <see cref="WorkerStartException"/> that says where to add it. Callbacks are then found in
    /// the app itself, by assembly name. Started with <c>--remote</c> on its command line, the app
    /// runs a remote worker instead (with the ProcessFutures.Remote package), for RemoteWorkerExecutors on other machines (see
    /// docs/remote-workers.md), and ends when told to stop.
    /// </remarks>
    /// <param name="args">The arguments <c>Main</c> received.</param>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is null.</exception>
    public static void RunWorkerIfRequested(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains(WorkerEnvironment.RemoteSwitch))
        {
            // Started as a remote worker (a container's entry point): serve RemoteWorkerExecutors until told to stop.
            Environment.Exit(WorkerHost.Run(args));
        }

        if (Environment.GetEnvironmentVariable(WorkerEnvironment.RunAsWorker) != WorkerEnvironment.RunAsWorkerValue)
        {
            // Read by pools created later in this process: this app can be started as a worker.
            WorkerCommand.AppRunsWorkerIfRequested = true;
            return;
        }

        Environment.Exit(WorkerHost.Run(args));
    }
}
