namespace Session.Worker.Internal;

/// <summary>
/// Whether the worker is draining: a remote worker told to stop (SIGTERM) finishes what it was
/// sent, says so on every answer's last frame (the client sends it nothing more), ends its idle
/// streams, and answers 503 on /healthz so it leaves its Service's endpoints.
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
