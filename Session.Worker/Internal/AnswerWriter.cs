using Google.Protobuf;
using Grpc.Core;
using Session.Contracts.Internal;
using Session.Protocol;

namespace Session.Worker.Internal;

/// <summary>
/// Writes one answer on a slot's stream: the head rides with the first chunk, and the last
/// frame carries <c>end</c>, so a small response is a single message.
/// </summary>
internal sealed class AnswerWriter(IServerStreamWriter<WorkerFrame> stream)
{
    private ByteString _head = ByteString.Empty;

    public bool Ended { get; private set; }

    /// <summary>Holds the head back until the first chunk (or the end) goes out with it.</summary>
    public void SetHead(ByteString head) => _head = head;

    /// <summary>Writes a chunk; <paramref name="chunk"/> need only live until the returned task completes.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> chunk, bool last)
    {
        await stream.WriteAsync(new WorkerFrame { Head = _head, Chunk = UnsafeByteOperations.UnsafeWrap(chunk), End = last });
        _head = ByteString.Empty;
        Ended = last;
    }

    public async Task WriteErrorAsync(WorkerErrorKind kind, Exception exception)
    {
        // An error ends the answer; a head already sent (an error while streaming the body) stays as it is.
        await stream.WriteAsync(new WorkerFrame { Error = UnsafeByteOperations.UnsafeWrap(ContractSerializer.ToBytes(WorkerError.From(kind, exception))), End = true });
        Ended = true;
    }
}
