using Grpc.Core;
using Session.Protocol;

namespace Session.Client.Internal;

/// <summary>
/// One worker slot's long-lived stream. Requests go out one after another; writes are
/// serialized because a cancel frame for the request that just ended may still be on its way
/// when the next request starts.
/// </summary>
internal sealed class SlotStream : IDisposable
{
    private readonly AsyncDuplexStreamingCall<ClientFrame, WorkerFrame> _call;
    private readonly SemaphoreSlim _writing = new(1, 1);

    public SlotStream(AsyncDuplexStreamingCall<ClientFrame, WorkerFrame> call) => _call = call;

    public IAsyncStreamReader<WorkerFrame> Replies => _call.ResponseStream;

    public async Task WriteAsync(ClientFrame frame)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(frame).ConfigureAwait(false);
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
        catch (Exception exception) when (exception is RpcException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>Ends the client's side and lets the worker end its own (at most a second). Never throws.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await _writing.WaitAsync().ConfigureAwait(false);
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            while (await _call.ResponseStream.MoveNext(limit.Token).ConfigureAwait(false))
            {
            }
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
    }

    public void Dispose()
    {
        _call.Dispose();
        _writing.Dispose();
    }
}
