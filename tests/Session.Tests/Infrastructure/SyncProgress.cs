namespace Session.Tests.Infrastructure;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order.
/// (<see cref="Progress{T}"/> posts each report to the thread pool when there is no
/// synchronization context, so its handler may see reports out of order.)
/// </summary>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
