using System.Threading.Channels;
using ProcessFutures.Infrastructure;

namespace Session.Tests.Worker;

/// <summary>
/// The frame seam in memory: two <see cref="MessageStream"/>s joined back to back, for tests of a
/// worker's protocol side without a process or a socket. Each direction holds a few messages, as a
/// socket's buffers would; a side that completes ends the other's reads cleanly, and one that is
/// disposed breaks them.
/// </summary>
internal sealed class InMemoryStream : MessageStream
{
    private readonly Channel<byte[]> _incoming;
    private readonly Channel<byte[]> _outgoing;

    private InMemoryStream(Channel<byte[]> incoming, Channel<byte[]> outgoing)
    {
        _incoming = incoming;
        _outgoing = outgoing;
    }

    public static (InMemoryStream Client, InMemoryStream Worker) Pair()
    {
        Channel<byte[]> toWorker = Channel.CreateBounded<byte[]>(8);
        Channel<byte[]> toClient = Channel.CreateBounded<byte[]>(8);
        return (new InMemoryStream(toClient, toWorker), new InMemoryStream(toWorker, toClient));
    }

    public override async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _incoming.Reader.WaitToReadAsync(cancellationToken) && _incoming.Reader.TryRead(out byte[]? message))
            {
                return message;
            }

            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new WorkerTransportException(TransportFailure.Broken, "The other side went away.", exception);
        }
    }

    public override async ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            await _outgoing.Writer.WriteAsync(frame[HeaderRoom..].ToArray(), cancellationToken);
        }
        catch (ChannelClosedException exception)
        {
            throw new WorkerTransportException(TransportFailure.Broken, "The other side went away.", exception);
        }
    }

    public override ValueTask CompleteAsync()
    {
        _outgoing.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete(new IOException("The stream was dropped."));
        return ValueTask.CompletedTask;
    }
}
