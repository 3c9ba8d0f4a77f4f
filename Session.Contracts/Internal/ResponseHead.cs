using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>
/// What a worker sends before a body or a callback result: the response without its content,
/// and the cookies set on the way. It can be large (a server may set thousands of cookies over
/// many redirect hops), so it travels in pieces like a body does (see worker.proto).
/// </summary>
internal sealed class ResponseHead : IWireMessage<ResponseHead>
{
    private const int FieldCount = 10;

    public required int StatusCode { get; init; }

    public string? ReasonPhrase { get; init; }

    public required string Url { get; init; }

    public required List<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>Every Set-Cookie seen on the way (redirect hops too), grouped by the URL that set them, for the session's jar.</summary>
    public required IReadOnlyList<CookiesSet> SetCookies { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required int ProcessId { get; init; }

    /// <summary>The body's announced length, -1 when unknown. Informational: nothing is allocated from it.</summary>
    public required long ContentLength { get; init; }

    /// <summary>Where the body was saved, for a download.</summary>
    public string? DownloadPath { get; init; }

    /// <summary>How many attempts the exchange took (retries).</summary>
    public int Attempts { get; init; } = 1;

    public Dictionary<string, string> HeaderDictionary()
    {
        var headers = new Dictionary<string, string>(Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in Headers)
        {
            headers[header.Key] = header.Value;
        }

        return headers;
    }

    public Response ToResponse(byte[] content) =>
        new(StatusCode, ReasonPhrase, new Uri(Url), HeaderDictionary(), content, Elapsed, ProcessId, DownloadPath, Attempts);

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(StatusCode);
        writer.Write(ReasonPhrase);
        writer.Write(Url);
        ContractSerializer.WritePairs(ref writer, Headers);
        writer.WriteArrayHeader(SetCookies.Count);
        foreach (CookiesSet set in SetCookies)
        {
            writer.WriteArrayHeader(2);
            writer.Write(set.Url);
            writer.WriteArrayHeader(set.Values.Count);
            foreach (string value in set.Values)
            {
                writer.Write(value);
            }
        }

        writer.Write(Elapsed.Ticks);
        writer.Write(ProcessId);
        writer.Write(ContentLength);
        writer.Write(DownloadPath);
        writer.Write(Attempts);
    }

    public static ResponseHead Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "response head");
        int statusCode = reader.ReadInt32();
        string? reasonPhrase = reader.ReadString();
        string url = ContractSerializer.ReadRequiredString(ref reader, "response URL");
        List<KeyValuePair<string, string>> headers = ContractSerializer.ReadPairs(ref reader);
        int sets = reader.ReadArrayHeader();
        var setCookies = new List<CookiesSet>(Math.Min(sets, 64));
        for (int i = 0; i < sets; i++)
        {
            ContractSerializer.ReadFields(ref reader, 2, "cookie set");
            string setBy = ContractSerializer.ReadRequiredString(ref reader, "cookie URL");
            int values = reader.ReadArrayHeader();
            var list = new List<string>(Math.Min(values, 1024));
            for (int j = 0; j < values; j++)
            {
                list.Add(reader.ReadString() ?? string.Empty);
            }

            setCookies.Add(new CookiesSet(setBy, list));
        }

        var head = new ResponseHead
        {
            StatusCode = statusCode,
            ReasonPhrase = reasonPhrase,
            Url = url,
            Headers = headers,
            SetCookies = setCookies,
            Elapsed = TimeSpan.FromTicks(reader.ReadInt64()),
            ProcessId = reader.ReadInt32(),
            ContentLength = reader.ReadInt64(),
            DownloadPath = reader.ReadString(),
            Attempts = reader.ReadInt32(),
        };
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        return head;
    }
}
