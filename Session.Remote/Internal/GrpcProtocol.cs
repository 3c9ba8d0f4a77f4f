using System.Buffers;
using Grpc.Core;

namespace ProcessFutures.Internal;

/// <summary>
/// The <c>Serve</c> call of proto/worker.proto's <c>Worker</c> service, as gRPC carries it. Its
/// messages are the protocol's frames exactly as ProcessFutures serializes them (this package never
/// parses one): on the wire this is the service proto/worker.proto declares, so the .proto stays the
/// one place a reader sees what crosses. The method is declared here, not generated, because the
/// generated message types live once, internal, in ProcessFutures.
/// </summary>
internal static class GrpcProtocol
{
    public const string ServiceName = "processfutures.v1.Worker";

    public const string MethodName = "Serve";

    /// <summary>The header that carries a pool's or a remote worker's token on every call.</summary>
    public const string TokenHeader = "x-processfutures-token";

    private static readonly Marshaller<Frame> s_frames = Marshallers.Create<Frame>(
        static (Frame frame, SerializationContext context) =>
        {
            context.SetPayloadLength(frame.Bytes.Length);
            context.GetBufferWriter().Write(frame.Bytes.Span);
            context.Complete();
        },
        static (DeserializationContext context) => new Frame(context.PayloadAsNewBuffer()));

    public static readonly Method<Frame, Frame> Serve = new(MethodType.DuplexStreaming, ServiceName, MethodName, s_frames, s_frames);
}

/// <summary>One serialized frame of the protocol (a ClientFrame or a WorkerFrame).</summary>
internal sealed class Frame(ReadOnlyMemory<byte> bytes)
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}
