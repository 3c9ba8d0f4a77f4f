using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace HttpBin;

/// <summary>
/// The server as its own process: <c>HttpBin [--port P]</c> listens on 127.0.0.1 (HTTP on P,
/// 0 = a free port, the default; HTTPS on a free port), prints one line
/// <c>httpbin-ready &lt;base address&gt; &lt;https base address&gt;</c> when it is listening, and
/// runs until its standard input closes or it gets SIGTERM or SIGINT.
/// </summary>
internal static class Program
{
    private const string Usage = "Usage: HttpBin [--port P]   (P from 0 to 65535; 0, the default, picks a free port)";

    private static async Task<int> Main(string[] args)
    {
        if (!TryParsePort(args, out int port, out string? error))
        {
            await Console.Error.WriteLineAsync($"{error}\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        await using HttpBinServer server = await HttpBinServer.StartAsync(port).ConfigureAwait(false);
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        await Console.Out.WriteLineAsync($"httpbin-ready {server.BaseAddress} {server.HttpsBaseAddress}").ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);

        // A blocking read on a thread of its own: the parent ends the server by closing our stdin,
        // which also happens when the parent dies.
        Task stdinClosed = Task.Factory.StartNew(
            static () =>
            {
                while (Console.In.ReadLine() is not null)
                {
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await stdinClosed.WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Signalled: stop the same way.
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            // Take over the default (immediate exit) so the server stops cleanly through the awaits above.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static bool TryParsePort(string[] args, out int port, out string? error)
    {
        port = 0;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--port" && i + 1 < args.Length)
            {
                string text = args[++i];
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > IPEndPoint.MaxPort)
                {
                    error = $"The port must be a whole number from 0 to {IPEndPoint.MaxPort}, not '{text}'.";
                    return false;
                }
            }
            else
            {
                error = $"Unknown or incomplete argument '{args[i]}'.";
                return false;
            }
        }

        return true;
    }
}
