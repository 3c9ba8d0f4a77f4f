namespace ProcessFutures.Internal;

/// <summary>The Set-Cookie values one response set, with the URL that set them (recorded once, not per cookie).</summary>
internal sealed record CookiesSet(string Url, List<string> Values);
