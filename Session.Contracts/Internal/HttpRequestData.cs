using MessagePack;

namespace ProcessFutures.Internal;

/// <summary>
/// One request, fully prepared on the calling side (session defaults merged, URL resolved,
/// JSON or form encoded, auth applied), so that any executor can send it as it is.
/// </summary>
internal sealed class HttpRequestData : IWireMessage<HttpRequestData>
{
    private const int FieldCount = 19;

    public required string Method { get; init; }

    /// <summary>Absolute, unless the session wraps an HttpClient that has a BaseAddress.</summary>
    public required string Url { get; init; }

    /// <summary>Request and content headers, in order; a later pair of the same name wins.</summary>
    public required List<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>Cookies sent on every hop, to any host (session and request cookies, request wins).</summary>
    public required List<KeyValuePair<string, string>> Cookies { get; init; }

    /// <summary>The cookies the session collected from responses, for a worker's per-request jar. Not used in process.</summary>
    public CookieData[] Jar { get; set; } = [];

    /// <summary>The body. In process it is used as it is; to a worker it travels beside the WorkItem, not in it.</summary>
    public byte[]? Content { get; init; }

    /// <summary><see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public required TimeSpan Timeout { get; init; }

    public required bool AllowRedirects { get; init; }

    public required int MaxRedirects { get; init; }

    public required TransportSettings Transport { get; init; }

    /// <summary>What to do with the response body.</summary>
    public BodyMode Mode { get; init; }

    /// <summary>For <see cref="BodyMode.Download"/>: the final file, absolute.</summary>
    public string? DownloadPath { get; init; }

    /// <summary>For <see cref="BodyMode.Download"/>: the temporary file beside it, chosen by the caller so it can remove it if the worker dies.</summary>
    public string? DownloadTempPath { get; init; }

    /// <summary>A file to stream as the body, absolute; <see cref="Content"/> is then null.</summary>
    public string? UploadFrom { get; init; }

    /// <summary>The most a buffered body may hold (the session's MaxBufferedContentBytes).</summary>
    public long MaxBufferedContentBytes { get; init; } = SessionOptions.DefaultMaxBufferedContentBytes;

    /// <summary>Whether the caller wants progress reports.</summary>
    public bool ReportProgress { get; init; }

    /// <summary>The retries to make, carried out where the request runs.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>The W3C traceparent of the caller's span, so the worker's HTTP spans join the caller's trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The W3C tracestate that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; set; }

    public void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Method);
        writer.Write(Url);
        ContractSerializer.WritePairs(ref writer, Headers);
        ContractSerializer.WritePairs(ref writer, Cookies);
        writer.WriteArrayHeader(Jar.Length);
        foreach (CookieData cookie in Jar)
        {
            cookie.Write(ref writer);
        }

        writer.Write(Timeout.Ticks);
        writer.Write(AllowRedirects);
        writer.Write(MaxRedirects);
        writer.Write(Transport.VerifyTls);
        writer.Write(Transport.Proxy);
        writer.Write((int)Mode);
        writer.Write(DownloadPath);
        writer.Write(DownloadTempPath);
        writer.Write(UploadFrom);
        writer.Write(MaxBufferedContentBytes);
        writer.Write(ReportProgress);
        RetryPolicyWire.Write(ref writer, Retry);
        writer.Write(TraceParent);
        writer.Write(TraceState);
    }

    public static HttpRequestData Read(ref MessagePackReader reader)
    {
        int count = ContractSerializer.ReadFields(ref reader, FieldCount, "request");
        string method = ContractSerializer.ReadRequiredString(ref reader, "request method");
        string url = ContractSerializer.ReadRequiredString(ref reader, "request URL");
        List<KeyValuePair<string, string>> headers = ContractSerializer.ReadPairs(ref reader);
        List<KeyValuePair<string, string>> cookies = ContractSerializer.ReadPairs(ref reader);
        int cookieCount = reader.ReadArrayHeader();
        var jar = new List<CookieData>(Math.Min(cookieCount, 64));
        for (int i = 0; i < cookieCount; i++)
        {
            jar.Add(CookieData.Read(ref reader));
        }

        var timeout = TimeSpan.FromTicks(reader.ReadInt64());
        bool allowRedirects = reader.ReadBoolean();
        int maxRedirects = reader.ReadInt32();
        bool verifyTls = reader.ReadBoolean();
        string? proxy = reader.ReadString();
        var mode = (BodyMode)reader.ReadInt32();
        string? downloadPath = reader.ReadString();
        string? downloadTempPath = reader.ReadString();
        string? uploadFrom = reader.ReadString();
        long maxBuffered = reader.ReadInt64();
        bool reportProgress = reader.ReadBoolean();
        RetryPolicy? retry = RetryPolicyWire.Read(ref reader);
        string? traceParent = reader.ReadString();
        string? traceState = reader.ReadString();
        ContractSerializer.SkipExtra(ref reader, count, FieldCount);
        if (mode is not (BodyMode.Buffer or BodyMode.Stream or BodyMode.Download) || (mode == BodyMode.Download && (downloadPath is null || downloadTempPath is null)))
        {
            throw new MessagePackSerializationException($"A request's body mode '{mode}' is unknown or lacks its paths.");
        }

        return new HttpRequestData
        {
            Method = method,
            Url = url,
            Headers = headers,
            Cookies = cookies,
            Jar = [.. jar],
            Timeout = timeout,
            AllowRedirects = allowRedirects,
            MaxRedirects = maxRedirects,
            Transport = new TransportSettings(verifyTls, proxy),
            Mode = mode,
            DownloadPath = downloadPath,
            DownloadTempPath = downloadTempPath,
            UploadFrom = uploadFrom,
            MaxBufferedContentBytes = maxBuffered,
            ReportProgress = reportProgress,
            Retry = retry,
            TraceParent = traceParent,
            TraceState = traceState,
        };
    }
}
