using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// A worker on another machine, reached at one address over HTTP/2 with TLS. It cannot be killed,
/// only given up: its connection is dropped (its requests fail with WorkerCrashedException naming
/// the address), and its supervisor connects again later. Its pid is learned from its answers. It
/// does not see this process's files: they travel on the stream.
/// </summary>
internal sealed class RemoteWorker(ExecutorCore core, WorkerEndpoint endpoint, WorkerConnector connector)
    : ServingWorker(core, connector)
{
    private int _processId;
    private string? _lostBecause;

    public WorkerEndpoint Endpoint { get; } = endpoint;

    public override int ProcessId => Volatile.Read(ref _processId);

    public override string Name => ProcessId == 0 ? $"remote worker {Endpoint}" : $"remote worker {Endpoint} (pid {ProcessId})";

    public override bool SharesFiles => false;

    public override void Kill(string reason, WorkerExitReason kind)
    {
        if (Interlocked.CompareExchange(ref _lostBecause, reason, null) is null)
        {
            RemoteWorkerLog.WorkerGivenUp(Core.Logger, Endpoint.ToString(), reason);
            Core.WorkerExited(kind);
        }

        MarkDead();
    }

    /// <summary>Stops taking requests, lets running ones end within <paramref name="grace"/>, then drops the connection.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!await SlotsEndedWithinAsync(grace).ConfigureAwait(false))
        {
            Kill($"requests were still running after the grace period of {grace.TotalSeconds:0.###} s", WorkerExitReason.Shutdown);
            await SlotsEndedAsync().ConfigureAwait(false);
        }

        if (Interlocked.CompareExchange(ref _lostBecause, "stopped", null) is null)
        {
            Core.WorkerExited(IsRetiring ? RetiredFor : WorkerExitReason.Shutdown);
        }

        MarkDead();
        Connector.Dispose();
    }

    protected override void Answered(int processId) => Volatile.Write(ref _processId, processId);

    protected override void OnRetiring(string reason) => RemoteWorkerLog.WorkerDraining(Core.Logger, Endpoint.ToString(), reason);

    protected override Task<WorkerCrashedException> DescribeLossAsync(string request, Exception exception)
    {
        Kill($"its connection broke ({exception.Message})", WorkerExitReason.Crash);
        string message = $"The {Name} was lost while running this request ({request}): its connection broke ({exception.Message}). " +
            "The request was not retried, as it may not be idempotent; other workers serve the queue.";
        return Task.FromResult(new WorkerCrashedException(message, ProcessId, exitCode: null, exception));
    }
}
