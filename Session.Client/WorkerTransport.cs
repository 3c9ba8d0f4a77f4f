namespace ProcessFutures;

/// <summary>How a <see cref="ProcessPoolExecutor"/> talks to its workers. Both carry the same messages (proto/worker.proto) on a Unix socket in the pool's private directory, with the pool's token.</summary>
public enum WorkerTransport
{
    /// <summary>
    /// The default: each slot has a Unix socket connection of its own, carrying the protocol's
    /// messages with a length before each. A request costs one write each way, and the worker
    /// needs no web server, so it starts sooner.
    /// </summary>
    Socket,

    /// <summary>gRPC (HTTP/2) on the Unix socket, one stream per slot: what remote workers speak.</summary>
    Grpc,
}
