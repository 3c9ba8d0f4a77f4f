namespace ProcessFutures.Internal;

/// <summary>The error of a body too large to buffer: raised as soon as the announced length or the bytes read pass the cap.</summary>
internal static class BodyLimits
{
    public static HttpRequestException TooLarge(long limit, long? announced) => new(
        HttpRequestError.ConfigurationLimitExceeded,
        (announced is long length
            ? $"The response body is announced as {length} bytes, "
            : $"The response body is longer than {limit} bytes, ")
        + $"more than SessionOptions.MaxBufferedContentBytes ({limit} bytes) allows into Response.Content; nothing more was read. "
        + "Set RequestOptions.Stream = true to read it as it arrives from Response.ContentStream, or RequestOptions.DownloadTo to save it to a file: neither has a size limit.");
}
