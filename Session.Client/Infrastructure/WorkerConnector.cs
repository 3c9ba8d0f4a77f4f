using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): how a worker's slots reach it. Each slot
/// connects once and keeps its stream for as long as it serves.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class WorkerConnector : IDisposable
{
    /// <summary>Opens a slot's stream; the hello is the caller's to send. Failures are <see cref="WorkerTransportException"/>s.</summary>
    /// <param name="dead">Cancelled when the worker is given up: the stream must end then.</param>
    /// <returns>The stream.</returns>
    public abstract ValueTask<MessageStream> ConnectAsync(CancellationToken dead);

    /// <summary>Releases what the connector holds (a channel).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the connector holds.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
