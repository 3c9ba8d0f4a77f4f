using System.Buffers;
using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>The one set of MessagePack options, and the helpers every side uses to write and read payloads.</summary>
internal static class ContractSerializer
{
    /// <summary>
    /// Options for callback results: contractless (plain records and POCOs round-trip, as do
    /// <c>[MessagePackObject]</c> types), never typeless, hardened for untrusted data, and with a
    /// depth limit when writing too (<see cref="DepthGuardResolver"/>).
    /// </summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(DepthGuardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] ToBytes<T>(T message)
        where T : IWireMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        message.Write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static T FromBytes<T>(ReadOnlyMemory<byte> bytes)
        where T : IWireMessage<T>
    {
        var reader = new MessagePackReader(bytes);
        return T.Read(ref reader);
    }

    /// <summary>Reads an array header and checks it has at least <paramref name="expected"/> fields.</summary>
    public static int ReadFields(ref MessagePackReader reader, int expected, string what)
    {
        int count = reader.ReadArrayHeader();
        if (count < expected)
        {
            throw new MessagePackSerializationException($"A {what} has {count} fields; at least {expected} were expected.");
        }

        return count;
    }

    /// <summary>Skips fields appended by a newer writer.</summary>
    public static void SkipExtra(ref MessagePackReader reader, int count, int known)
    {
        for (int i = known; i < count; i++)
        {
            reader.Skip();
        }
    }

    public static string ReadRequiredString(ref MessagePackReader reader, string what) =>
        reader.ReadString() ?? throw new MessagePackSerializationException($"The {what} is missing.");

    /// <summary>Writes name/value pairs as one flat array: name, value, name, value, ….</summary>
    public static void WritePairs(ref MessagePackWriter writer, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        writer.WriteArrayHeader(pairs.Count * 2);
        foreach (KeyValuePair<string, string> pair in pairs)
        {
            writer.Write(pair.Key);
            writer.Write(pair.Value);
        }
    }

    public static List<KeyValuePair<string, string>> ReadPairs(ref MessagePackReader reader)
    {
        int count = reader.ReadArrayHeader();
        if (count % 2 != 0)
        {
            throw new MessagePackSerializationException("A list of name/value pairs has an odd length.");
        }

        // The count is the peer's word: grow with what arrives rather than allocate from it.
        var pairs = new List<KeyValuePair<string, string>>(Math.Min(count / 2, 64));
        for (int i = 0; i < count; i += 2)
        {
            string name = ReadRequiredString(ref reader, "pair name");
            string value = reader.ReadString() ?? string.Empty;
            pairs.Add(new KeyValuePair<string, string>(name, value));
        }

        return pairs;
    }
}
