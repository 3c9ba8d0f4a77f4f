using ProcessFutures.Infrastructure;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One worker slot's long-lived stream, whatever the transport: the hello goes first, requests
/// follow one after another, and the answers' frames are read in order. A wait for a frame may be
/// given up (a reader's token) without losing the read: the pending read is kept and the next wait
/// picks it up, so the stream stays in step. Writes never overlap (a cancel for the request that
/// just ended may still be on its way when the next one starts).
/// </summary>
internal sealed class SlotConnection : IAsyncDisposable
{
    private readonly FrameChannel<WorkerFrame, ClientFrame> _channel;
    private Task<WorkerFrame?>? _pending;
    private int _framesThisAnswer;

    private SlotConnection(MessageStream stream) => _channel = new FrameChannel<WorkerFrame, ClientFrame>(stream, WorkerFrame.Parser);

    /// <summary>Connects and says hello (with the token, for a transport that carries it in the stream).</summary>
    public static async Task<SlotConnection> OpenAsync(WorkerConnector connector, string? token, CancellationToken dead)
    {
        MessageStream stream = await connector.ConnectAsync(dead).ConfigureAwait(false);
        var connection = new SlotConnection(stream);
        try
        {
            await connection.WriteAsync(new ClientFrame { Hello = new Hello { Protocol = ProtocolVersion.Current, Token = token ?? string.Empty } }).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask WriteAsync(ClientFrame frame, CancellationToken cancellationToken = default) => _channel.WriteAsync(frame, cancellationToken);

    /// <summary>The next answer starts: a stream that ends before its first frame was ended by a draining worker.</summary>
    public void BeginAnswer() => _framesThisAnswer = 0;

    /// <summary>The next frame of the answer; the stream's end throws <see cref="StreamEndedException"/>.</summary>
    public async ValueTask<WorkerFrame> NextAsync(int processId, CancellationToken waitToken = default)
    {
        _pending ??= _channel.ReadAsync(CancellationToken.None).AsTask();
        WorkerFrame? frame = await _pending.WaitAsync(waitToken).ConfigureAwait(false);
        _pending = null;
        if (frame is null)
        {
            throw new StreamEndedException(processId, beforeAnswer: _framesThisAnswer == 0);
        }

        _framesThisAnswer++;
        return frame;
    }

    /// <summary>Asks the worker to abort call <paramref name="callId"/>; never throws (a broken stream fails its request anyway).</summary>
    public async Task CancelAsync(long callId)
    {
        try
        {
            await WriteAsync(new ClientFrame { Cancel = callId }).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsBroken(exception))
        {
        }
    }

    /// <summary>Ends the client's side and lets the worker end its own (at most a second). Never throws.</summary>
    public async Task CloseAsync()
    {
        try
        {
            await _channel.CompleteAsync().ConfigureAwait(false);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            while (await (_pending ?? _channel.ReadAsync(CancellationToken.None).AsTask()).WaitAsync(limit.Token).ConfigureAwait(false) is not null)
            {
                _pending = null;
            }
        }
        catch (Exception exception) when (IsBroken(exception))
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        // A read still pending fails when the stream goes: its failure is seen here, not by the finalizer.
        _pending?.ContinueWith(static read => _ = read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _channel.Stream.DisposeAsync();
    }

    private static bool IsBroken(Exception exception) =>
        exception is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or InvalidDataException;
}
