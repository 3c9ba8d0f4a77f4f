using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A request as the calling side prepared it: the protocol's <see cref="HttpRequest"/> (what any
/// executor sends), and what stays with the caller: the body's bytes, the file it streams from,
/// the file its body goes to, and its timeout (counted from submission).
/// </summary>
/// <param name="Wire">The request as it is sent; its timeout, jar, paths and trace context are set as it leaves.</param>
/// <param name="Content">The body, in memory.</param>
/// <param name="UploadFrom">The caller's file to send as the body, absolute.</param>
/// <param name="DownloadTo">The caller's file the body goes to, absolute.</param>
/// <param name="Timeout">The request's timeout; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none.</param>
internal sealed record PreparedRequest(HttpRequest Wire, byte[]? Content, string? UploadFrom, string? DownloadTo, TimeSpan Timeout);
