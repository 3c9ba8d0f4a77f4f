namespace Session.Worker.Internal;

/// <summary>
/// Whether the worker is draining: a remote worker told to stop (SIGTERM) serves whatever its
/// clients still send on the streams they have, says so on every answer's last frame, and answers
/// 503 on /healthz (so it leaves its Service's endpoints, and clients, which poll it, stop sending
/// and close their streams); it exits when they are closed, or when the drain time is up.
/// </summary>
internal sealed class WorkerLifetime
{
    private readonly TaskCompletionSource _draining = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A local worker's lifetime: it never drains (its pool stops it by closing its stdin).</summary>
    public WorkerLifetime()
    {
    }

    /// <summary>A remote worker's lifetime: draining starts when the host is told to stop.</summary>
    public WorkerLifetime(IHostApplicationLifetime host)
    {
        CanDrain = true;
        host.ApplicationStopping.Register(() => _draining.TrySetResult());
    }

    public bool CanDrain { get; }

    public bool IsDraining => _draining.Task.IsCompleted;

    /// <summary>Completes when draining starts.</summary>
    public Task Draining => _draining.Task;
}
