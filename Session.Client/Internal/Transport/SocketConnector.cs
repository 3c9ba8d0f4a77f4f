using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>A local worker's slots on the socket transport: a Unix socket connection each, in the pool's 0700 directory.</summary>
internal sealed class SocketConnector(string socketPath) : WorkerConnector
{
    public override async ValueTask<MessageStream> ConnectAsync(CancellationToken dead)
    {
        SocketMessageStream stream = await SocketMessageStream.ConnectAsync(socketPath, dead).ConfigureAwait(false);

        // A dead worker's streams end at once: every read and write on them fails.
        return new DeadEndedStream(stream, dead);
    }

    /// <summary>A socket stream disposed when its worker is given up, so nothing waits on a killed worker's socket.</summary>
    private sealed class DeadEndedStream : MessageStream
    {
        private readonly SocketMessageStream _inner;
        private readonly CancellationTokenRegistration _onDead;

        public DeadEndedStream(SocketMessageStream inner, CancellationToken dead)
        {
            _inner = inner;
            _onDead = dead.UnsafeRegister(static state => _ = ((SocketMessageStream)state!).DisposeAsync(), inner);
        }

        public override ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken) => _inner.ReadAsync(cancellationToken);

        public override ValueTask WriteAsync(Memory<byte> frame, CancellationToken cancellationToken) => _inner.WriteAsync(frame, cancellationToken);

        public override ValueTask CompleteAsync() => _inner.CompleteAsync();

        public override async ValueTask DisposeAsync()
        {
            await _onDead.DisposeAsync().ConfigureAwait(false);
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
