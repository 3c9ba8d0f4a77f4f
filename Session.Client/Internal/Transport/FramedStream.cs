using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace ProcessFutures.Internal;

/// <summary>
/// The local pool's socket transport: the messages of proto/worker.proto on a Unix socket, each
/// after its length (4 bytes, little-endian), with no HTTP/2 underneath. A length of 0 ends a
/// stream cleanly; a socket that ends without it is broken (its peer died). One socket carries one
/// worker slot's stream, so the kernel's socket buffers are its flow control.
/// </summary>
internal static class FramedStream
{
    /// <summary>The most a peer may send before the token is checked: only a token fits.</summary>
    public const int MaxHelloMessage = 1024;

    private static readonly byte[] s_end = new byte[4];

    /// <summary>Writes one message, length first, in one write.</summary>
    public static async Task WriteAsync(Stream stream, IMessage message)
    {
        int size = message.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size + 4);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, size);
            message.WriteTo(buffer.AsSpan(4, size));
            await stream.WriteAsync(buffer.AsMemory(0, size + 4)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends the stream cleanly (what follows on this socket is nothing).</summary>
    public static Task WriteEndAsync(Stream stream) => stream.WriteAsync(s_end).AsTask();
}
