using MessagePack;

namespace ProcessFutures;

/// <summary>
/// Retries for a request, as data (the <c>HTTPAdapter(max_retries=…)</c> of Python requests): it
/// travels with the request and is carried out where the request runs (the thread, or the
/// worker process, with Polly), so a retry costs no extra hop and the body and callback run
/// once, on the final attempt. Off unless set (<see cref="SessionOptions.Retry"/> or
/// <see cref="RequestOptions.Retry"/>): a request may not be idempotent.
/// </summary>
/// <remarks>
/// An attempt is retried when it fails in transport (<see cref="HttpRequestException"/>), runs
/// past <see cref="AttemptTimeout"/>, or answers one of <see cref="StatusCodes"/>; and only for
/// <see cref="Methods"/>. Delays grow exponentially from <see cref="BaseDelay"/>, with jitter; a
/// <c>Retry-After</c> answer sets the delay instead when <see cref="RespectRetryAfter"/> (one
/// longer than <see cref="MaxDelay"/> is not waited for: that answer is returned). The request's
/// own timeout bounds all attempts and delays together. A body streamed from a file
/// (<see cref="RequestOptions.UploadFrom"/>) is not sent twice: such a request is not retried.
/// <see cref="Response.Attempts"/> says how many attempts were made.
/// </remarks>
[MessagePackObject]
public sealed class RetryPolicy
{
    /// <summary>The default of <see cref="MaxRetries"/>: 3.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The default of <see cref="BaseDelay"/>: 1 second.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default of <see cref="MaxDelay"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>How many retries after the first attempt, at most. Default: <see cref="DefaultMaxRetries"/>.</summary>
    [Key(0)]
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>The delay before the first retry; each later one doubles it, with jitter. Default: <see cref="DefaultBaseDelay"/>.</summary>
    [Key(1)]
    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;

    /// <summary>Whether a <c>Retry-After</c> header (seconds or a date) sets the delay. Default: <see langword="true"/>.</summary>
    [Key(2)]
    public bool RespectRetryAfter { get; set; } = true;

    /// <summary>The status codes that are retried. Default: 408, 429, 500, 502, 503, 504.</summary>
    [Key(3)]
    public IList<int> StatusCodes { get; set; } = [408, 429, 500, 502, 503, 504];

    /// <summary>The methods that are retried. Default: the idempotent ones of RFC 9110: GET, HEAD, OPTIONS, PUT, DELETE, TRACE.</summary>
    [Key(4)]
    public IList<string> Methods { get; set; } = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"];

    /// <summary>How long one attempt may take before it is abandoned and retried. Default: <see langword="null"/> (only the request's timeout applies).</summary>
    [Key(5)]
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>The longest delay waited, computed or asked by <c>Retry-After</c>. Default: <see cref="DefaultMaxDelay"/>.</summary>
    [Key(6)]
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;
}
