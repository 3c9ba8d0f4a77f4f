using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// How a pool starts its workers, chosen once per pool, at its first start, from how the app
/// itself runs:
/// <list type="bullet">
/// <item><see cref="ProcessPoolOptions.WorkerPath"/> given: that file (a <c>.dll</c> with the dotnet host).</item>
/// <item>Framework-dependent app (<c>dotnet run</c>, <c>dotnet test</c>, <c>dotnet app.dll</c>, its
/// apphost): <c>ProcessFutures.dll</c> itself (the worker is part of it), with the dotnet host of
/// the shared runtime this app runs on (never one from PATH), a runtimeconfig the pool writes,
/// and the app's own deps.json, so the worker loads the same assemblies the app does.</item>
/// <item>Self-contained or single-file app: there is no shared runtime to run a second app with,
/// so the app starts itself, and <see cref="ProcessPoolExecutor.RunWorkerIfRequested"/> turns
/// that process into the worker.</item>
/// </list>
/// Choosing does no I/O beyond looking at files; the runtimeconfig is written by the launcher,
/// before the first start (<see cref="RuntimeConfigToWrite"/>). When no worker can ever start in
/// this process, <see cref="Problem"/> says why and what to do.
/// </summary>
[DebuggerDisplay("{Display,nq} ({HowFound,nq})")]
internal sealed partial class WorkerCommand
{
    private const string RuntimeConfigFileName = "worker.runtimeconfig.json";

    private WorkerCommand(string fileName, string[] arguments, string workerPath, string howFound, bool runsApp, string? problem, string? runtimeConfigToWrite = null)
    {
        FileName = fileName;
        Arguments = arguments;
        WorkerPath = workerPath;
        HowFound = howFound;
        RunsApp = runsApp;
        Problem = problem;
        RuntimeConfigToWrite = runtimeConfigToWrite;
    }

    /// <summary>The file to start.</summary>
    public string FileName { get; }

    /// <summary>Its arguments.</summary>
    public string[] Arguments { get; }

    /// <summary>The worker (a dll, an executable, or this app), for messages and <see cref="WorkerStartException.WorkerPath"/>.</summary>
    public string WorkerPath { get; }

    /// <summary>How the worker was chosen, for messages.</summary>
    public string HowFound { get; }

    /// <summary>True when the worker is this app, started again (self-contained and single-file apps).</summary>
    public bool RunsApp { get; }

    /// <summary>
    /// Why no worker can ever start in this process, with what to do; null when one can. It
    /// depends on the app's code and how it was built, not on anything that may change while it
    /// runs, so the pool does not retry.
    /// </summary>
    public string? Problem { get; }

    /// <summary>The runtimeconfig the worker is started with and that the pool must write first (<see cref="WriteRuntimeConfig"/>); null when none is needed.</summary>
    public string? RuntimeConfigToWrite { get; }

    public string Display => string.Join(' ', Arguments.Prepend(FileName));

    /// <summary>Whether this process called <see cref="ProcessPoolExecutor.RunWorkerIfRequested"/> (see there).</summary>
    internal static bool AppRunsWorkerIfRequested { get; set; }

    public static WorkerCommand Choose(ProcessPoolOptions options, string poolDirectory)
    {
        if (Environment.GetEnvironmentVariable(WorkerEnvironment.RunAsWorker) == WorkerEnvironment.RunAsWorkerValue)
        {
            // This process was started as a worker, yet makes a pool before running the worker:
            // starting more copies of the app would never end.
            string app = Environment.ProcessPath ?? string.Empty;
            return new WorkerCommand(app, [], app, "none: this process is a worker", runsApp: true,
                $"This process was started as a worker of a ProcessPoolExecutor, but created a pool before calling ProcessPoolExecutor.RunWorkerIfRequested(args). {AddTheCall()}");
        }

        if (options.WorkerPath is { } configured)
        {
            string path = Path.GetFullPath(configured);
            const string howFound = "ProcessPoolOptions.WorkerPath";
            if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                return new WorkerCommand(path, [], path, howFound, runsApp: false, problem: null);
            }

            return SharedRuntimeMuxer() is { } muxer
                ? DotnetCommand(muxer, path, howFound, poolDirectory)
                : new WorkerCommand(path, [], path, howFound, runsApp: false,
                    $"The worker '{path}' ({howFound}) is a .dll, and this app does not run on a shared .NET runtime with a dotnet host to run it (it is self-contained or single-file). Leave WorkerPath unset: the app then starts itself as its worker.");
        }

        string client = FileOf(typeof(WorkerCommand).Assembly);
        if (client.Length > 0 && SharedRuntimeMuxer() is { } host)
        {
            string worker = client;
            return DotnetCommand(host, worker, "the default: ProcessFutures.dll itself, run by the dotnet host of this app's runtime", poolDirectory);
        }

        string what = client.Length == 0 ? "a single-file app"
            : SharedRuntimeDirectory() is not null ? "framework-dependent, but its runtime has no dotnet host beside it"
            : "self-contained";
        return SelfCommand(what);
    }

    /// <summary>Why the worker file is missing, when it is; checked before every start (a file may come back).</summary>
    public string? MissingFile() =>
        RunsApp || File.Exists(WorkerPath)
            ? null
            : $"The worker file '{WorkerPath}' ({HowFound}) does not exist. Reference the ProcessFutures package (or the Session.Client project) from the app: ProcessFutures.dll is the worker. Or set ProcessPoolOptions.WorkerPath to a worker that exists.";

    private static WorkerCommand DotnetCommand(string muxer, string worker, string howFound, string poolDirectory)
    {
        // A worker built as an app of its own brings its runtimeconfig and deps.json; the one in
        // the package does not (they would collide with the app's): it gets a runtimeconfig the
        // pool writes, and the app's deps.json when it sits beside the app.
        string stem = Path.Combine(Path.GetDirectoryName(worker)!, Path.GetFileNameWithoutExtension(worker));
        string runtimeConfig = stem + ".runtimeconfig.json";
        string? deps = File.Exists(stem + ".deps.json") ? stem + ".deps.json" : null;
        string? toWrite = null;
        if (!File.Exists(runtimeConfig))
        {
            runtimeConfig = toWrite = Path.Combine(poolDirectory, RuntimeConfigFileName);
            deps ??= AppDepsFile(Path.GetDirectoryName(worker)!);
        }

        List<string> arguments = ["exec", "--runtimeconfig", runtimeConfig];
        if (deps is not null)
        {
            arguments.AddRange(["--depsfile", deps]);
        }

        arguments.Add(worker);
        return new WorkerCommand(muxer, [.. arguments], worker, howFound, runsApp: false, problem: null, toWrite);
    }

    /// <summary>This app, started again as its own worker; <paramref name="what"/> says why (for messages).</summary>
    internal static WorkerCommand SelfCommand(string what)
    {
        string howFound = $"this app, which is {what}, started again as its own worker";
        string app = Environment.ProcessPath ?? string.Empty;
        string? problem = null;
        if (!AppRunsWorkerIfRequested)
        {
            // Never start the app without it: that would run the whole app again, not a worker.
            problem = $"This app is {what}: there is no separate worker to start, so the pool starts the app itself as its worker, and the app must hand such a process over to the worker. {AddTheCall()}";
        }
        else if (app.Length == 0)
        {
            problem = $"This app is {what}, so the pool starts the app itself as its worker, but the path of this process's executable is not known (Environment.ProcessPath is null).";
        }

        return new WorkerCommand(app, [], app, howFound, runsApp: true, problem);
    }

    private static string AddTheCall()
    {
        string entry = Assembly.GetEntryAssembly()?.GetName().Name ?? "the app";
        return $"Add 'ProcessPoolExecutor.RunWorkerIfRequested(args);' (namespace ProcessFutures) as the first line of Main in {entry} " +
            "(with top-level statements: the first statement of Program.cs), then build or publish again. It returns at once in a normal run; " +
            "see the ProcessFutures README, section 'Publishing an app that uses the process pool'.";
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "Empty when bundled into a single-file app, which is handled: the pool then starts the app itself.")]
    private static string FileOf(Assembly assembly) => assembly.Location;
}
