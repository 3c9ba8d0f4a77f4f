using MessagePack;

namespace Session.Contracts.Internal;

/// <summary>What a worker sends before a body or a callback result: the response without its content.</summary>
internal sealed class ResponseHead : IWireMessage<ResponseHead>
{
    private const int FieldCount = 8;

    public required int StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    public required string Url { get; init; }

    public required List<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>Every Set-Cookie seen on the way (redirect hops too), as (URL, value), for the session's jar.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> SetCookies { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required int ProcessId { get; init; }

    /// <summary>The length of the body chunks that follow; -1 when unknown; 0 when a callback result follows instead.</summary>
    public required long ContentLength { get; init; }

    public Response ToResponse(byte[] content)
    {
        var headers = new Dictionary<string, string>(Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in Headers)
        {
            headers[header.Key] = header.Value;
        }

        return new Response(StatusCode, ReasonPhrase, new Uri(Url), headers, content, Elapsed, ProcessId);
    }

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(StatusCode);
        writer.Write(ReasonPhrase);
        writer.Write(Url);
        ContractSerializer.WritePairs(ref writer, Headers);
        ContractSerializer.WritePairs(ref writer, SetCookies);
        writer.Write(Elapsed.Ticks);
        writer.Write(ProcessId);
        writer.Write(ContentLength);
    }

    public static ResponseHead Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "response head");
        var head = new ResponseHead
        {
            StatusCode = reader.ReadInt32(),
            ReasonPhrase = reader.ReadString(),
            Url = ContractSerializer.ReadRequiredString(ref reader, "response URL"),
            Headers = ContractSerializer.ReadPairs(ref reader),
            SetCookies = ContractSerializer.ReadPairs(ref reader),
            Elapsed = TimeSpan.FromTicks(reader.ReadInt64()),
            ProcessId = reader.ReadInt32(),
            ContentLength = reader.ReadInt64(),
        };
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return head;
    }
}
