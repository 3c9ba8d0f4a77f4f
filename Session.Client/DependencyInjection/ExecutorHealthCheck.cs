using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProcessFutures;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Healthy while the executor can serve: a process pool with at least one worker ready; a thread pool always.</summary>
internal sealed class ExecutorHealthCheck(IRequestExecutor executor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (executor is not ProcessPoolExecutor pool)
        {
            return Task.FromResult(HealthCheckResult.Healthy("A thread pool executor."));
        }

        int ready = pool.WorkerProcessIds.Count;
        var data = new Dictionary<string, object> { ["workers_ready"] = ready, ["max_workers"] = pool.MaxWorkers };
        return Task.FromResult(ready > 0
            ? HealthCheckResult.Healthy($"{ready} of {pool.MaxWorkers} workers ready.", data)
            : HealthCheckResult.Unhealthy($"No worker of {pool.MaxWorkers} is ready.", data: data));
    }
}
