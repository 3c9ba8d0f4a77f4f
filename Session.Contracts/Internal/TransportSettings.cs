namespace ProcessFutures.Internal;

/// <summary>
/// What shapes a session's connections (as opposed to its requests). Sessions with equal
/// settings share one connection pool in a worker, as <c>IHttpClientFactory</c> shares
/// handlers: cookies are never kept by the handler, so nothing leaks between sessions, and the
/// number of pools is bounded by the number of distinct settings, not of sessions.
/// </summary>
internal sealed record TransportSettings(bool VerifyTls, string? Proxy)
{
    public static TransportSettings From(SessionOptions options) => new(options.VerifyTls, options.Proxy?.AbsoluteUri);
}
