using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// Starts worker processes: chooses how at the first start (<see cref="WorkerCommand"/>), starts
/// the worker with the pool's socket directory, token and pid in its environment, and waits for
/// its ready line, its exit, or the start timeout.
/// </summary>
internal sealed partial class WorkerLauncher
{
    // Variables that would make Kestrel listen on TCP in the worker: the worker never does.
    private static readonly string[] s_clearedVariables =
        ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS"];

    // The worker's runtime settings, also where its runtimeconfig is the app's (self-contained and
    // single-file apps run the worker in a copy of themselves): small, mostly idle processes.
    private static readonly (string Name, string Value)[] s_runtimeSettings =
        [("DOTNET_gcServer", "0"), ("DOTNET_gcConcurrent", "0"), ("DOTNET_TieredPGO", "0")];

    private readonly ExecutorCore _core;
    private readonly ProcessPoolOptions _options;
    private readonly PoolDirectory _directory;
    private readonly RecyclePolicy _recycling;
    private readonly ILogger _logger;
    private readonly Lock _commandLock = new();
    private WorkerCommand? _command;
    private int _generation;

    public WorkerLauncher(ExecutorCore core, ProcessPoolOptions options, PoolDirectory directory)
    {
        _core = core;
        _directory = directory;
        _logger = core.Logger;
        _options = options;
        _recycling = new RecyclePolicy(options);
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>The per-pool secret every call to a worker carries.</summary>
    public string Token { get; }

    public async Task<LocalWorker> StartAsync(CancellationToken stopping)
    {
        WorkerCommand command = Prepare();
        if (command.Problem is { } problem)
        {
            throw new WorkerStartException(problem, command.WorkerPath) { IsPermanent = true };
        }

        if (command.MissingFile() is { } missing)
        {
            throw new WorkerStartException(missing, command.WorkerPath);
        }

        int generation = Interlocked.Increment(ref _generation);
        string socketPath = _directory.SocketPath(generation);
        ProcessStartInfo startInfo = StartInfo(command, socketPath);

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
            throw new WorkerStartException($"The worker '{command.Display}' ({command.HowFound}) could not be started: {exception.Message}.", command.WorkerPath, exception);
        }

        output.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Task? first;
        try
        {
            first = await Task.WhenAny(ready.Task, exited.Task).WaitAsync(_options.WorkerStartTimeout, stopping).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            first = null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            KillQuietly(process);
            process.Dispose();
            PoolDirectory.RemoveSocket(socketPath);
            throw;
        }

        if (first == ready.Task)
        {
            TimeSpan took = Stopwatch.GetElapsedTime(started);
            _recycling.Started(took);
            ProcessPoolLog.WorkerStarted(_logger, process.Id, took.TotalMilliseconds);
            bool socket = _options.Transport == WorkerTransport.Socket;
            WorkerConnector connector = socket ? new SocketConnector(socketPath) : TransportPlugin.Find()!.ConnectLocal(socketPath, Token);
            return new LocalWorker(_core, connector, process, socketPath, exited.Task, output, _recycling) { Token = socket ? Token : null };
        }

        string failure;
        if (first == exited.Task)
        {
            failure = $"exited with code {exited.Task.Result} before it was ready";
        }
        else
        {
            KillQuietly(process);
            failure = $"was not ready within {_options.WorkerStartTimeout.TotalSeconds:0.###} s (WorkerStartTimeout) and was killed";
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

        // A worker that bound its socket but never said it was ready leaves the file behind: every
        // failed start would add one while the pool keeps retrying.
        PoolDirectory.RemoveSocket(socketPath);
        throw new WorkerStartException($"The worker '{command.Display}' ({command.HowFound}) {failure}. It printed: {output.Explain()}", command.WorkerPath);
    }

    /// <summary>
    /// Chooses how workers start (once, at the first start: nothing is decided or written while the
    /// pool is constructed), and writes the worker's runtimeconfig if it needs one and the file is
    /// not there (not yet, or removed since: a temp cleaner may remove it from a long-lived pool's
    /// directory). A failed write fails this start, like any other start failure, and the next
    /// start tries again. The write happens under the lock on purpose: every other start needs the
    /// file and would wait for it anyway, and nothing else takes this lock.
    /// </summary>
    private WorkerCommand Prepare()
    {
        WorkerCommand command;
        bool chosenNow = false;
        lock (_commandLock)
        {
            if (_command is null)
            {
                _command = WorkerCommand.Choose(_options, _directory.Path);
                chosenNow = true;
            }

            command = _command;
            if (command.RuntimeConfigToWrite is { } runtimeConfig && !File.Exists(runtimeConfig))
            {
                try
                {
                    WorkerCommand.WriteRuntimeConfig(runtimeConfig);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw new WorkerStartException(
                        $"The worker's runtimeconfig '{runtimeConfig}' could not be written: {exception.Message}. The pool's directory must stay writable while the pool runs.",
                        command.WorkerPath,
                        exception);
                }
            }
        }

        if (chosenNow)
        {
            ProcessPoolLog.WorkerCommandChosen(_logger, command.Display, command.HowFound);
            if (command.Problem is { } problem)
            {
                ProcessPoolLog.WorkersCannotStart(_logger, problem);
            }
        }

        return command;
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
}
