using ProcessFutures;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Copies of options a factory hands out: each session gets dictionaries and a retry policy of its own.</summary>
internal static class SessionOptionsCopy
{
    public static SessionOptions Of(SessionOptions options) => new()
    {
        BaseAddress = options.BaseAddress,
        Headers = new Dictionary<string, string>(options.Headers, StringComparer.OrdinalIgnoreCase),
        Cookies = new Dictionary<string, string>(options.Cookies, StringComparer.Ordinal),
        Timeout = options.Timeout,
        AllowRedirects = options.AllowRedirects,
        MaxRedirects = options.MaxRedirects,
        BasicAuth = options.BasicAuth,
        BearerToken = options.BearerToken,
        VerifyTls = options.VerifyTls,
        Proxy = options.Proxy,
        MaxBufferedContentBytes = options.MaxBufferedContentBytes,
        Retry = options.Retry is { } retry ? Of(retry) : null,
    };

    public static RetryPolicy Of(RetryPolicy policy) => new()
    {
        MaxRetries = policy.MaxRetries,
        BaseDelay = policy.BaseDelay,
        RespectRetryAfter = policy.RespectRetryAfter,
        StatusCodes = [.. policy.StatusCodes],
        Methods = [.. policy.Methods],
        AttemptTimeout = policy.AttemptTimeout,
        MaxDelay = policy.MaxDelay,
    };
}
