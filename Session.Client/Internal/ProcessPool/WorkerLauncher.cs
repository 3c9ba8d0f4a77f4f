using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Session.Contracts.Internal;

namespace Session.Client.Internal;

/// <summary>
/// Starts worker processes: finds the worker, starts it with the pool's socket directory, token
/// and pid in its environment, and waits for its ready line, its exit, or the start timeout.
/// </summary>
internal sealed class WorkerLauncher
{
    private const string WorkerFileName = "Session.Worker.dll";

    // Variables that would make Kestrel listen on TCP in the worker: the worker never does.
    private static readonly string[] s_clearedVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS"];

    private readonly IWorkerHost _host;
    private readonly PoolDirectory _directory;
    private readonly RecyclePolicy _recycling;
    private readonly ILogger _logger;
    private readonly string _workerPath;
    private readonly string _fileName;
    private readonly string[] _arguments;
    private readonly string _howFound;
    private int _generation;

    public WorkerLauncher(IWorkerHost host, PoolDirectory directory)
    {
        _host = host;
        _directory = directory;
        _logger = host.Logger;
        _recycling = new RecyclePolicy(host.Options);
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        if (host.Options.WorkerPath is { } configured)
        {
            _workerPath = Path.GetFullPath(configured);
            _howFound = "ProcessPoolOptions.WorkerPath";
        }
        else
        {
            string? beside = Path.GetDirectoryName(typeof(WorkerLauncher).Assembly.Location);
            _workerPath = Path.Combine(string.IsNullOrEmpty(beside) ? AppContext.BaseDirectory : beside, WorkerFileName);
            _howFound = "the default, beside Session.Client.dll";
        }

        if (_workerPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            _fileName = DotnetHost();
            _arguments = ["exec", _workerPath];
        }
        else
        {
            _fileName = _workerPath;
            _arguments = [];
        }
    }

    /// <summary>The per-pool secret every call to a worker carries.</summary>
    public string Token { get; }

    private string Command => string.Join(' ', _arguments.Prepend(_fileName));

    public async Task<WorkerProcess> StartAsync(CancellationToken stopping)
    {
        if (!File.Exists(_workerPath))
        {
            throw new WorkerStartException(
                $"The worker file '{_workerPath}' ({_howFound}) does not exist. Reference the Session.Client project or package from the app (it brings the worker along), or set ProcessPoolOptions.WorkerPath to Session.Worker.dll.",
                _workerPath);
        }

        int generation = Interlocked.Increment(ref _generation);
        string socketPath = _directory.SocketPath(generation);
        var startInfo = new ProcessStartInfo(_fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in _arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (string variable in s_clearedVariables)
        {
            startInfo.Environment.Remove(variable);
        }

        startInfo.Environment[WorkerEnvironment.SocketPath] = socketPath;
        startInfo.Environment[WorkerEnvironment.Token] = Token;
        startInfo.Environment[WorkerEnvironment.ParentProcessId] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!startInfo.Environment.ContainsKey("DOTNET_ROOT"))
        {
            startInfo.Environment["DOTNET_ROOT"] = DotnetRoot();
        }

        // No diagnostics IPC socket in /tmp unless the environment asks for one: a killed worker
        // cannot remove its own, and a pool kills and recycles workers by design.
        if (!startInfo.Environment.Keys.Any(static key => key.StartsWith("DOTNET_EnableDiagnostics", StringComparison.OrdinalIgnoreCase)))
        {
            startInfo.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        }

        // A hard limit on the worker's managed heap: a callback that allocates without end gets an
        // OutOfMemoryException (its request fails, the worker is recycled) before the machine runs out.
        if (_host.Options.EffectiveWorkerHeapLimit() is long heapLimit and > 0)
        {
            startInfo.Environment["DOTNET_GCHeapHardLimit"] = heapLimit.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        }

        var output = new WorkerOutput(_logger);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == WorkerEnvironment.ReadyLine)
            {
                ready.TrySetResult();
            }
            else if (e.Data is not null)
            {
                output.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Add(e.Data);
            }
        };
        process.Exited += (_, _) => exited.TrySetResult(ExitCode(process));

        long started = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new WorkerStartException($"The worker '{Command}' ({_howFound}) could not be started: {exception.Message}.", _workerPath, exception);
        }

        output.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Task? first;
        try
        {
            first = await Task.WhenAny(ready.Task, exited.Task).WaitAsync(_host.Options.WorkerStartTimeout, stopping).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            first = null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }

        if (first == ready.Task)
        {
            ProcessPoolLog.WorkerStarted(_logger, process.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new WorkerProcess(_host, process, socketPath, Token, exited.Task, output, _recycling);
        }

        string problem;
        if (first == exited.Task)
        {
            problem = $"exited with code {exited.Task.Result} before it was ready";
        }
        else
        {
            KillQuietly(process);
            problem = $"was not ready within {_host.Options.WorkerStartTimeout.TotalSeconds:0.###} s (WorkerStartTimeout) and was killed";
        }

        // Let the output readers reach the end, so the message shows the last words.
        using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            try
            {
                await process.WaitForExitAsync(drained.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        process.Dispose();
        throw new WorkerStartException($"The worker '{Command}' ({_howFound}) {problem}. It printed: {output.Explain()}", _workerPath);
    }

    private static int ExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception)
        {
        }
    }

    /// <summary>The runtime this process runs on: …/shared/Microsoft.NETCore.App/x.y.z/ is three levels under its root.</summary>
    private static string DotnetRoot() =>
        Environment.GetEnvironmentVariable("DOTNET_ROOT")
        ?? Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    /// <summary>The same dotnet host as this process's, so the worker runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        string candidate = Path.Combine(DotnetRoot(), "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
