using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// What an exchange's final response says before its body is read: status, URL, headers (collected
/// once), timing, attempts, and the Set-Cookie values a worker's jar recorded on the way. Both
/// answers build what they send from it: a <see cref="Response"/> in process, a
/// <see cref="ResponseHead"/> in a worker.
/// </summary>
internal sealed class ResponseInfo
{
    public ResponseInfo(ExchangeResult exchange, IReadOnlyList<CookiesSet> cookies)
    {
        HttpResponseMessage message = exchange.Response;
        StatusCode = (int)message.StatusCode;
        ReasonPhrase = message.ReasonPhrase;
        Url = exchange.Url;
        Elapsed = exchange.Elapsed;
        Attempts = exchange.Attempts;
        Headers = HttpExchange.CollectHeaders(message);
        ContentLength = message.Content.Headers.ContentLength;
        Cookies = cookies;
    }

    public int StatusCode { get; }

    public string? ReasonPhrase { get; }

    public Uri Url { get; }

    public Dictionary<string, string> Headers { get; }

    public TimeSpan Elapsed { get; }

    public int Attempts { get; }

    /// <summary>The body's announced length: the peer's word, never a reason to allocate past <see cref="BodyBuffer.TrustedLength"/>.</summary>
    public long? ContentLength { get; }

    public IReadOnlyList<CookiesSet> Cookies { get; }

    public Response ToResponse(byte[] content, string? downloadPath = null) =>
        new(StatusCode, ReasonPhrase, Url, Headers, content, Elapsed, Environment.ProcessId, downloadPath, Attempts);

    public Response ToResponse(Stream body) =>
        new(StatusCode, ReasonPhrase, Url, Headers, body, Elapsed, Environment.ProcessId, Attempts);

    public ResponseHead ToHead(bool downloaded = false)
    {
        var head = new ResponseHead
        {
            StatusCode = StatusCode,
            ReasonPhrase = ReasonPhrase ?? string.Empty,
            Url = Url.IsAbsoluteUri ? Url.AbsoluteUri : Url.OriginalString,
            ElapsedTicks = Elapsed.Ticks,
            ProcessId = Environment.ProcessId,
            ContentLength = ContentLength ?? -1,
            Attempts = Attempts,
            Downloaded = downloaded,
        };
        foreach (KeyValuePair<string, string> header in Headers)
        {
            head.Headers.Add(new Header { Name = header.Key, Value = header.Value });
        }

        return head;
    }
}
