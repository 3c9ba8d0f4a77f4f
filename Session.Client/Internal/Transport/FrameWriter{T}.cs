using Google.Protobuf;
using Grpc.Core;

namespace ProcessFutures.Internal;

/// <summary>Writes length-prefixed messages (see <see cref="FramedStream"/>); writes never overlap (the callers' rule, as on a gRPC stream).</summary>
internal sealed class FrameWriter<T>(Stream stream) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => FramedStream.WriteAsync(stream, message);
}
