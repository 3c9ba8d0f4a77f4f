using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace ProcessFutures.Internal;

/// <summary>
/// Lets a <see cref="Response"/> cross processes as (part of) a callback's result. Fields are an
/// array in this order; new ones are only appended, and a reader skips what it does not know.
/// </summary>
internal sealed class ResponseFormatter : IMessagePackFormatter<Response?>
{
    private const int FieldCount = 9;

    public void Serialize(ref MessagePackWriter writer, Response? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (value.IsStreamed)
        {
            throw new MessagePackSerializationException(
                "A streamed Response (RequestOptions.Stream = true) cannot be sent to another process: its body is a live connection. Return what you computed from its ContentStream instead.");
        }

        writer.WriteArrayHeader(FieldCount);
        writer.Write(value.StatusCode);
        writer.Write(value.ReasonPhrase);
        writer.Write(value.Url.OriginalString);
        writer.WriteMapHeader(value.Headers.Count);
        foreach (KeyValuePair<string, string> header in value.Headers)
        {
            writer.Write(header.Key);
            writer.Write(header.Value);
        }

        writer.Write(value.Content);
        writer.Write(value.Elapsed.Ticks);
        writer.Write(value.ProcessId);
        writer.Write(value.DownloadPath);
        writer.Write(value.Attempts);
    }

    public Response? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        int count = reader.ReadArrayHeader();
        if (count < FieldCount)
        {
            throw new MessagePackSerializationException($"A Response has {count} fields; at least {FieldCount} were expected.");
        }

        int statusCode = reader.ReadInt32();
        string? reason = reader.ReadString();
        var url = new Uri(reader.ReadString() ?? throw new MessagePackSerializationException("A Response has no URL."), UriKind.RelativeOrAbsolute);
        int headerCount = reader.ReadMapHeader();

        // The count is the peer's word: grow with what arrives rather than allocate from it.
        var headers = new Dictionary<string, string>(Math.Min(headerCount, 64), StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < headerCount; i++)
        {
            string name = reader.ReadString() ?? throw new MessagePackSerializationException("A Response header has no name.");
            headers[name] = reader.ReadString() ?? string.Empty;
        }

        byte[] content = reader.ReadBytes()?.ToArray() ?? [];
        var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
        int processId = reader.ReadInt32();
        string? downloadPath = reader.ReadString();
        int attempts = reader.ReadInt32();
        for (int i = FieldCount; i < count; i++)
        {
            reader.Skip();
        }

        reader.Depth--;
        return new Response(statusCode, reason, url, headers, content, elapsed, processId, downloadPath, attempts);
    }
}
