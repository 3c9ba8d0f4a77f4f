using System.Diagnostics;
using System.Globalization;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>How a worker process is started: its command, and the environment that configures it.</summary>
internal sealed partial class WorkerLauncher
{
    /// <summary>
    /// The worker's command line and environment: its socket, the pool's token and pid (never on
    /// the command line, which every local user can read), its runtime settings, no diagnostics
    /// socket unless asked, and its heap limit.
    /// </summary>
    private ProcessStartInfo StartInfo(WorkerCommand command, string socketPath)
    {
        var startInfo = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (string variable in s_clearedVariables)
        {
            startInfo.Environment.Remove(variable);
        }

        startInfo.Environment[WorkerEnvironment.SocketPath] = socketPath;
        startInfo.Environment[WorkerEnvironment.Token] = Token;
        startInfo.Environment[WorkerEnvironment.ParentProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment[WorkerEnvironment.Transport] = _options.Transport == WorkerTransport.Grpc ? WorkerEnvironment.GrpcTransport : WorkerEnvironment.SocketTransport;
        foreach ((string name, string value) in s_runtimeSettings)
        {
            startInfo.Environment[name] = value;
        }

        if (command.RunsApp)
        {
            startInfo.Environment[WorkerEnvironment.RunAsWorker] = WorkerEnvironment.RunAsWorkerValue;
        }
        else if (!startInfo.Environment.ContainsKey("DOTNET_ROOT") && WorkerCommand.SharedRuntimeMuxer() is { } muxer)
        {
            // For a worker that is an apphost (WorkerPath): the runtime this app runs on.
            startInfo.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(muxer);
        }

        // No debugger pipes or diagnostics socket in the temporary directory unless asked for: a
        // killed worker cannot remove its own, and a pool kills and recycles workers by design.
        // Asked for (EnableWorkerDiagnostics, or DOTNET_EnableDiagnostics* in the environment),
        // the pool removes a dead worker's (DiagnosticFiles).
        if (!_options.EnableWorkerDiagnostics && !startInfo.Environment.Keys.Any(static key => key.StartsWith("DOTNET_EnableDiagnostics", StringComparison.OrdinalIgnoreCase)))
        {
            startInfo.Environment["DOTNET_EnableDiagnostics"] = "0";
        }

        // A hard limit on the worker's managed heap: a callback that allocates without end gets an
        // OutOfMemoryException (its request fails, the worker is recycled) before the machine runs out.
        if (_options.EffectiveWorkerHeapLimit() is long heapLimit and > 0)
        {
            startInfo.Environment["DOTNET_GCHeapHardLimit"] = heapLimit.ToString("X", CultureInfo.InvariantCulture);
        }

        return startInfo;
    }
}
