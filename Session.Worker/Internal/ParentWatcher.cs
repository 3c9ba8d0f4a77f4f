using System.Runtime.InteropServices;

namespace ProcessFutures.Internal;

/// <summary>
/// Ends the worker when the pool that started it is gone. The pool holds the write end of this
/// process's stdin: when the pool closes it (shutdown) or the pool's process dies (even by
/// SIGKILL, the kernel closes it), stdin reads end of file. The parent pid is checked too, every
/// half second, in case stdin was not a pipe.
/// </summary>
internal static partial class ParentWatcher
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(500);

    public static void Start(int parentPid)
    {
        var stdin = new Thread(WatchStandardInput) { IsBackground = true, Name = "parent watcher (stdin)" };
        stdin.Start();
        var pid = new Thread(() => WatchParentId(parentPid)) { IsBackground = true, Name = "parent watcher (pid)" };
        pid.Start();
    }

    private static void WatchStandardInput()
    {
        try
        {
            using Stream input = Console.OpenStandardInput();
            Span<byte> buffer = stackalloc byte[64];
            while (input.Read(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        Exit();
    }

    private static void WatchParentId(int parentPid)
    {
        while (getppid() == parentPid)
        {
            Thread.Sleep(s_pollInterval);
        }

        Exit();
    }

    private static void Exit()
    {
        // Nothing is left to serve: the pool only closes stdin once this worker's requests ended
        // (or its process died). A download cut short here leaves no temporary file behind.
        ActiveDownloads.DeleteAll();
        WorkerTelemetry.Flush();
        Environment.Exit(0);
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int getppid();
}
