using Microsoft.Extensions.Hosting;

namespace ProcessFutures.Internal;

/// <summary>
/// Whether the worker is draining: a remote worker told to stop (SIGTERM) serves whatever its
/// clients still send on the streams they have, says so on every answer's last frame, and answers
/// 503 on /healthz (so it leaves its Service's endpoints, and clients, which poll it, stop sending
/// and close their streams); it exits when they are closed, or when the drain time is up.
/// </summary>
internal sealed class WorkerLifetime(CancellationToken stopping)
{
    /// <summary>A local worker's lifetime: it never drains (its pool stops it by closing its stdin).</summary>
    public WorkerLifetime()
        : this(CancellationToken.None)
    {
    }

    /// <summary>A remote worker's lifetime: draining starts when the host is told to stop.</summary>
    public WorkerLifetime(IHostApplicationLifetime host)
        : this(host.ApplicationStopping)
    {
    }

    public bool IsDraining => stopping.IsCancellationRequested;
}
