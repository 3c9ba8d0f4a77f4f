using System.Diagnostics;
using System.Globalization;

namespace Bench;

/// <summary>
/// Makes sure no remote worker outlives the bench, however the bench ends. Remote workers do not
/// watch their parent (a real one has none to watch), so a shell is started before them and told
/// each worker's pid on its stdin; when its stdin reaches end of file it kills them all. The bench
/// holds the only write end, which the kernel closes when the bench exits by any path: an
/// exception, the watchdog's <c>Environment.Exit</c>, a signal, SIGKILL. On a normal end the bench
/// kills its workers itself and then this shell, so the shell never signals a pid that has been reused.
/// </summary>
internal sealed class ProcessReaper : IDisposable
{
    // Its own output goes nowhere (it must not hold the bench's stdout open); `read` is a builtin: no child to clean up.
    private const string Script = "exec >/dev/null 2>&1; pids=; while read -r pid; do pids=\"$pids $pid\"; done; [ -n \"$pids\" ] && kill -KILL $pids; exit 0";

    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(5);

    private readonly Process _shell;
    private readonly Lock _lock = new();
    private bool _disposed;

    private ProcessReaper(Process shell) => _shell = shell;

    public static ProcessReaper Start()
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        return new ProcessReaper(Process.Start(start) ?? throw new InvalidOperationException("'/bin/sh' did not start; the remote workers would have no guard against outliving the bench."));
    }

    /// <summary>Kills <paramref name="pid"/> when the bench ends without having disposed this.</summary>
    /// <exception cref="IOException">The shell is gone: the caller must not leave the process running unguarded.</exception>
    public void Watch(int pid)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _shell.StandardInput.WriteLine(pid.ToString(CultureInfo.InvariantCulture));
            _shell.StandardInput.Flush();
        }
    }

    /// <summary>Stops the shell without letting it kill anything: call it once the watched processes have ended.</summary>
    public void Dispose() => Stop(killWatched: false);

    /// <summary>Lets the shell do its work now (SIGKILL to every pid it was given), waits for it, and stops it.</summary>
    public void KillWatched() => Stop(killWatched: true);

    private void Stop(bool killWatched)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        try
        {
            if (killWatched)
            {
                // End of file on its stdin: what the bench's death would do.
                _shell.StandardInput.Close();
                _shell.WaitForExit(s_exitTimeout);
            }

            if (!_shell.HasExited)
            {
                _shell.Kill();
                _shell.WaitForExit(s_exitTimeout);
            }
        }
        finally
        {
            _shell.Dispose();
        }
    }
}
