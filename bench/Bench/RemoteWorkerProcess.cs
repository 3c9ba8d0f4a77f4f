using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bench;

/// <summary>
/// One worker in remote mode on this machine, as a machine of its own would run it: its own
/// process (the worker beside the bench, on the bench's runtimeconfig and deps.json), listening
/// with TLS on one loopback address (the whole of 127/8 is local), a token required. What it
/// prints goes to the bench's stderr, prefixed with its address. Configured as docs/remote-workers.md's
/// "The worker in remote mode" says, by the names written there (not the library's constants: the
/// bench runs it as a deployment would).
/// </summary>
internal sealed class RemoteWorkerProcess : IAsyncDisposable
{
    private const string RemoteSwitch = "--remote";
    private const string ListenVariable = "PROCESSFUTURES_LISTEN";
    private const string ReadyLine = "processfutures-worker-ready";

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;

    private RemoteWorkerProcess(Process process, string address, int port)
    {
        _process = process;
        Address = address;
        Port = port;
    }

    public string Address { get; }

    public int Port { get; }

    public int ProcessId => _process.Id;

    /// <summary>"address:port", as a <c>static:///</c> target lists it.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{Address}:{Port}");

    /// <summary>
    /// Starts the worker on <paramref name="address"/> and a free port, hands its pid to
    /// <paramref name="reaper"/> at once, and waits for its ready line.
    /// </summary>
    /// <param name="address">The loopback address to listen on: 127.0.0.2, …</param>
    /// <param name="environment">Set on top of the bench's own environment (the token, the certificate, runtime settings).</param>
    /// <param name="reaper">Kills the worker if the bench ends without disposing it.</param>
    public static async Task<RemoteWorkerProcess> StartAsync(string address, IReadOnlyDictionary<string, string> environment, ProcessReaper reaper)
    {
        int port = FreePort(address);
        string directory = AppContext.BaseDirectory;
        string worker = Path.Combine(directory, "ProcessFutures.dll");
        if (!File.Exists(worker))
        {
            throw new FileNotFoundException($"The worker '{worker}' is not beside the bench; build bench/Bench (Session.Client brings it along).", worker);
        }

        var start = new ProcessStartInfo(DotnetHost.Path())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "exec",
            "--runtimeconfig", Path.Combine(directory, "Bench.runtimeconfig.json"),
            "--depsfile", Path.Combine(directory, "Bench.deps.json"),
            worker,
            RemoteSwitch,
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[ListenVariable] = string.Create(CultureInfo.InvariantCulture, $"https://{address}:{port}");
        // Killed when the bench ends abnormally: no debugger pipes or diagnostics socket to leave in /tmp.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";

        var process = new Process { StartInfo = start };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string prefix = $"[worker {address}]";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                ready.TrySetException(new InvalidOperationException($"The remote worker on {address}:{port} exited before it said it was ready; its output is above, prefixed '{prefix}'."));
                return;
            }

            if (line.StartsWith(ReadyLine, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
            else
            {
                Console.Error.WriteLine($"{prefix} {line}");
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine($"{prefix} {line}");
            }
        };
        process.Start();
        var started = new RemoteWorkerProcess(process, address, port);
        try
        {
            reaper.Watch(process.Id);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await ready.Task.WaitAsync(s_readyTimeout);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the worker (SIGKILL: the executors using it are gone by then) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(s_exitTimeout);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>A port free on <paramref name="address"/> now (the worker binds it a moment later).</summary>
    private static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
