using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>
/// Disposal that happens once: the first caller decides, under the lock, that it is the one; the
/// shutdown itself (cancelling, completing, disposing) runs outside the lock, and every caller
/// gets the same task. After it starts, <see cref="ThrowIfDisposed"/> throws.
/// </summary>
[DebuggerDisplay("disposed = {IsDisposed}")]
internal sealed class DisposeOnce
{
    private readonly Lock _lock = new();
    private Task? _disposal;

    public bool IsDisposed
    {
        get
        {
            lock (_lock)
            {
                return _disposal is not null;
            }
        }
    }

    public void ThrowIfDisposed(object owner) => ObjectDisposedException.ThrowIf(IsDisposed, owner);

    /// <summary>Starts <paramref name="shutDown"/> the first time; returns its task every time.</summary>
    public Task Run(Func<Task> shutDown)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_disposal is not null)
            {
                return _disposal;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _disposal = done.Task;
        }

        _ = RunAsync(done, shutDown);
        return done.Task;
    }

    private static async Task RunAsync(TaskCompletionSource done, Func<Task> shutDown)
    {
        try
        {
            await shutDown().ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception exception)
        {
            done.TrySetException(exception);
        }
    }
}
