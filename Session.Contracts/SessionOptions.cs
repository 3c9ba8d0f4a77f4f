using MessagePack;

namespace ProcessFutures;

/// <summary>
/// What a <c>requests.Session</c> carries, as plain data: default headers and cookies, base
/// address, timeout, redirect policy, authentication and transport settings. Because it is
/// data (not an <see cref="System.Net.Http.HttpClient"/>), it can be sent to worker processes.
/// </summary>
/// <remarks>
/// A session reads <see cref="VerifyTls"/> and <see cref="Proxy"/> once, when it is
/// constructed (they shape its connections); every other property is read on each request,
/// so changing, say, <see cref="Headers"/> affects the requests sent afterwards.
/// </remarks>
[MessagePackObject]
public sealed class SessionOptions
{
    /// <summary>The default of <see cref="MaxRedirects"/>: 30, as in Python requests.</summary>
    public const int DefaultMaxRedirects = 30;

    /// <summary>The default of <see cref="MaxBufferedContentBytes"/>: 2,147,483,591 bytes, the most one array can hold (<see cref="Array.MaxLength"/>).</summary>
    public const long DefaultMaxBufferedContentBytes = 0x7FFFFFC7;

    /// <summary>The timeout used when neither the request nor the session sets one: 100 seconds, as <see cref="System.Net.Http.HttpClient.Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    /// <summary>Resolves relative request URLs. Default: <see langword="null"/> (request URLs must be absolute).</summary>
    [Key(0)]
    public Uri? BaseAddress { get; set; }

    /// <summary>Headers sent with every request (a request's own headers of the same name win). Names are case-insensitive. Default: empty.</summary>
    [Key(1)]
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Cookies sent with every request, to any host, besides those the session collects from responses. Default: empty.</summary>
    [Key(2)]
    public IDictionary<string, string> Cookies { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// How long a request may take, from its submission (time waiting in the executor's queue
    /// included) to its result: the exchange, the body, and the callback; with
    /// <see cref="RequestOptions.Stream"/>, up to the headers (and the callback, if any). Default:
    /// <see langword="null"/>, meaning <see cref="DefaultTimeout"/>; use
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none.
    /// </summary>
    [Key(3)]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Whether redirects are followed. Default: <see langword="true"/>.</summary>
    [Key(4)]
    public bool AllowRedirects { get; set; } = true;

    /// <summary>How many redirects one request follows at most; the last redirect response is returned past that, as <see cref="System.Net.Http.HttpClient"/> does. Default: <see cref="DefaultMaxRedirects"/>.</summary>
    [Key(5)]
    public int MaxRedirects { get; set; } = DefaultMaxRedirects;

    /// <summary>HTTP Basic credentials sent with every request. Default: <see langword="null"/>. Not together with <see cref="BearerToken"/>.</summary>
    [Key(6)]
    public (string User, string Password)? BasicAuth { get; set; }

    /// <summary>A bearer token sent with every request. Default: <see langword="null"/>. Not together with <see cref="BasicAuth"/>.</summary>
    [Key(7)]
    public string? BearerToken { get; set; }

    /// <summary>Whether TLS server certificates are verified. Default: <see langword="true"/>.</summary>
    [Key(8)]
    public bool VerifyTls { get; set; } = true;

    /// <summary>An explicit HTTP proxy. Default: <see langword="null"/> (the system's proxy settings, such as HTTP_PROXY, apply).</summary>
    [Key(9)]
    public Uri? Proxy { get; set; }

    /// <summary>
    /// The largest body read whole into <see cref="Response.Content"/> (HttpClient's
    /// <c>MaxResponseContentBufferSize</c>, as data). A body that announces more, or turns out
    /// longer, fails the request as soon as that is known, before it is buffered, with an
    /// <see cref="System.Net.Http.HttpRequestException"/> that names
    /// <see cref="RequestOptions.Stream"/> and <see cref="RequestOptions.DownloadTo"/>, which have
    /// no such limit. An endless body or a decompression bomb costs at most this much.
    /// Default: <see cref="DefaultMaxBufferedContentBytes"/>.
    /// </summary>
    [Key(10)]
    public long MaxBufferedContentBytes { get; set; } = DefaultMaxBufferedContentBytes;

    /// <summary>Retries for every request of the session (a request's own <see cref="RequestOptions.Retry"/> wins). Default: <see langword="null"/> (no retries: a request may not be idempotent).</summary>
    [Key(11)]
    public RetryPolicy? Retry { get; set; }
}
