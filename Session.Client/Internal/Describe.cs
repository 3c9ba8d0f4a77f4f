namespace ProcessFutures.Internal;

/// <summary>How messages show values that can be long.</summary>
internal static class Describe
{
    private const int MaxUrl = 200;

    /// <summary>A URL cut to 200 characters: a message names the request, it does not repeat a long query.</summary>
    public static string Url(string url) => url.Length <= MaxUrl ? url : string.Concat(url.AsSpan(0, MaxUrl), "…");
}
