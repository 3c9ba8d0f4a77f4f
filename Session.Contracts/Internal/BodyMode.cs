namespace ProcessFutures.Internal;

/// <summary>What whoever runs a request does with the response body.</summary>
internal enum BodyMode
{
    /// <summary>Read it whole into <see cref="Response.Content"/> (up to the session's cap).</summary>
    Buffer = 0,

    /// <summary>Hand it over as <see cref="Response.ContentStream"/>, read as it arrives.</summary>
    Stream = 1,

    /// <summary>Write it to <see cref="HttpRequestData.DownloadPath"/>, through a temporary file.</summary>
    Download = 2,
}
