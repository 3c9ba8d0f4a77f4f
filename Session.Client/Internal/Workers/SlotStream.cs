using System.Net.Sockets;
using Grpc.Core;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One worker slot's long-lived stream, over gRPC (<see cref="GrpcSlotStream"/>) or a socket of
/// its own (<see cref="SocketSlotStream"/>). Requests go out one after another; writes are
/// serialized because a cancel frame for the request that just ended may still be on its way
/// when the next request starts.
/// </summary>
internal abstract class SlotStream : IDisposable
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    public abstract IAsyncStreamReader<WorkerFrame> Replies { get; }

    public async Task WriteAsync(ClientFrame frame)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await WriteFrameAsync(frame).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Asks the worker to abort call <paramref name="callId"/>; never throws (a broken stream fails its request anyway).</summary>
    public async Task CancelAsync(long callId)
    {
        try
        {
            await WriteAsync(new ClientFrame { Cancel = callId }).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsBrokenStream(exception))
        {
        }
    }

    /// <summary>Ends the client's side and lets the worker end its own (at most a second). Never throws.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await _writing.WaitAsync().ConfigureAwait(false);
            await CompleteWritesAsync().ConfigureAwait(false);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            while (await Replies.MoveNext(limit.Token).ConfigureAwait(false))
            {
            }
        }
        catch (Exception exception) when (IsBrokenStream(exception))
        {
        }
    }

    public virtual void Dispose() => _writing.Dispose();

    protected abstract Task WriteFrameAsync(ClientFrame frame);

    protected abstract Task CompleteWritesAsync();

    private static bool IsBrokenStream(Exception exception) =>
        exception is RpcException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or IOException or SocketException or InvalidDataException;
}
