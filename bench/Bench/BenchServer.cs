using System.Diagnostics;
using System.Globalization;
using HttpBin;

namespace Bench;

/// <summary>
/// The HTTP server the scenarios load: HttpBin as a process of its own (the default, as a real
/// server would be), or inside the bench process (<c>--server in-process</c>, for comparison).
/// A server process is started with a pipe on its stdin and stopped by closing it.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpBinServer? _inProcess;
    private readonly Process? _process;
    private readonly Task? _pumps;
    private readonly Uri _baseAddress;

    private BenchServer(Uri baseAddress, HttpBinServer? inProcess, Process? process, Task? pumps, string description)
    {
        _baseAddress = baseAddress;
        _inProcess = inProcess;
        _process = process;
        _pumps = pumps;
        Description = description;
    }

    /// <summary>The server's process id; null when it runs inside this process (its CPU is then the client's).</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>Where the server runs, and whether it is pinned, for the report header.</summary>
    public string Description { get; }

    public static async Task<BenchServer> StartAsync(BenchSettings settings)
    {
        if (settings.InProcessServer)
        {
            HttpBinServer server = await HttpBinServer.StartAsync().WaitAsync(s_readyTimeout);
            return new BenchServer(server.BaseAddress, server, process: null, pumps: null, "the bench process (its CPU counts as the client's)");
        }

        return await StartProcessAsync(settings.PinServerCpus);
    }

    /// <summary>The absolute URL of <paramref name="pathAndQuery"/> on the server.</summary>
    public string Url(string pathAndQuery) => new Uri(_baseAddress, pathAndQuery.TrimStart('/')).AbsoluteUri;

    public async ValueTask DisposeAsync()
    {
        if (_inProcess is not null)
        {
            await _inProcess.DisposeAsync();
        }

        if (_process is not null)
        {
            // The server stops when its stdin closes.
            _process.StandardInput.Close();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(s_stopTimeout);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"The HttpBin server (pid {_process.Id}) did not stop within {s_stopTimeout.TotalSeconds} s of its stdin closing; killing it.");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(s_stopTimeout);
            }

            await _pumps!.WaitAsync(s_stopTimeout);
            _process.Dispose();
        }
    }

    /// <summary>
    /// Starts HttpBin beside this assembly (its apphost, else <c>dotnet HttpBin.dll</c>), under
    /// <c>taskset -c</c> when <paramref name="pinCpus"/> is given, and waits for its ready line.
    /// </summary>
    private static async Task<BenchServer> StartProcessAsync(string? pinCpus)
    {
        string directory = AppContext.BaseDirectory;
        string appHost = Path.Combine(directory, OperatingSystem.IsWindows() ? "HttpBin.exe" : "HttpBin");
        string dll = Path.Combine(directory, "HttpBin.dll");
        var command = new List<string>();
        if (pinCpus is not null)
        {
            command.AddRange(["taskset", "-c", pinCpus]);
        }

        if (File.Exists(appHost))
        {
            command.Add(appHost);
        }
        else if (File.Exists(dll))
        {
            command.AddRange([DotnetHost.Path(), dll]);
        }
        else
        {
            throw new FileNotFoundException($"The HttpBin server was not found beside the bench in '{directory}'; build bench/Bench (it references tests/HttpBin), or run with --server in-process.", dll);
        }

        command.AddRange(["--port", "0"]);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"'{string.Join(' ', command)}' did not start.");
        Task stderrPump = PumpAsync(process.StandardError);
        try
        {
            // "httpbin-ready <base address> <https base address>"
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync().WaitAsync(s_readyTimeout);
            }
            while (line is not null && !line.StartsWith("httpbin-ready ", StringComparison.Ordinal));

            if (line is null)
            {
                throw new InvalidOperationException($"The HttpBin server exited before saying it was ready (command: '{string.Join(' ', command)}').");
            }

            var baseAddress = new Uri(line.Split(' ')[1]);
            string pinned = pinCpus is null
                ? "not pinned: client, workers and server share the machine's cores as the scheduler decides"
                : $"pinned to CPU(s) {pinCpus} with taskset; the client and workers are not pinned";
            string description = string.Create(CultureInfo.InvariantCulture, $"its own process (pid {process.Id}, {pinned})");
            // Whatever it prints after the ready line is passed on too, so that no pipe fills and blocks it.
            Task pumps = Task.WhenAll(stderrPump, PumpAsync(process.StandardOutput));
            return new BenchServer(baseAddress, inProcess: null, process, pumps, description);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Copies what the server prints to our stderr (stdout holds only the report), prefixed.</summary>
    private static async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Console.Error.WriteLine($"[httpbin] {line}");
        }
    }
}
