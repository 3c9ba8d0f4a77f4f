using MessagePack;

namespace ProcessFutures;

/// <summary>
/// The per-request arguments of Python requests (<c>headers=</c>, <c>params=</c>, <c>json=</c>,
/// <c>data=</c>, <c>timeout=</c>, …). At most one of <see cref="Json"/>, <see cref="Form"/>
/// (when not empty), <see cref="Body"/> and <see cref="UploadFrom"/> may be set.
/// </summary>
[MessagePackObject]
public sealed class RequestOptions
{
    /// <summary>Headers for this request; they win over the session's headers of the same name. Default: empty.</summary>
    [Key(0)]
    public IDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Query parameters appended to the URL (after any it already has), escaped. Default: empty.</summary>
    [Key(1)]
    public IDictionary<string, string> Params { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Cookies for this request; they win over the session's cookies of the same name. Default: empty.</summary>
    [Key(2)]
    public IDictionary<string, string> Cookies { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// An object sent as a JSON body (System.Text.Json, web defaults, serialized on the calling
    /// side before the request is queued), with Content-Type <c>application/json</c>. Default:
    /// <see langword="null"/>. Not carried by MessagePack: its serialized bytes are.
    /// </summary>
    [IgnoreMember]
    public object? Json { get; set; }

    /// <summary>Fields sent as an <c>application/x-www-form-urlencoded</c> body. Default: empty (no form).</summary>
    [Key(3)]
    public IDictionary<string, string> Form { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A raw request body. Default: <see langword="null"/>.</summary>
    [Key(4)]
    public byte[]? Body { get; set; }

    /// <summary>The Content-Type of <see cref="Body"/>. Default: <see langword="null"/> (none is sent, as in Python requests).</summary>
    [Key(5)]
    public string? ContentType { get; set; }

    /// <summary>This request's timeout; see <see cref="SessionOptions.Timeout"/>. Default: <see langword="null"/> (the session's).</summary>
    [Key(6)]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Whether this request follows redirects. Default: <see langword="null"/> (the session's <see cref="SessionOptions.AllowRedirects"/>).</summary>
    [Key(7)]
    public bool? AllowRedirects { get; set; }

    /// <summary>
    /// Python requests' <c>stream=True</c>: the task (or the callback) gets the
    /// <see cref="Response"/> as soon as its headers arrive, and the body is read from
    /// <see cref="Response.ContentStream"/> as it arrives, in bounded memory. Dispose the
    /// response when done: that ends the exchange and frees the executor's slot.
    /// <see cref="Response.Content"/> then throws. The request's timeout covers the exchange up
    /// to the headers (and a callback, if given), not the reading. Default: <see langword="false"/>.
    /// </summary>
    [Key(8)]
    public bool Stream { get; set; }

    /// <summary>
    /// A file of the calling process to save the body to, whichever executor runs the request. The
    /// body is written under a temporary name in the same directory (by the thread, by a local
    /// worker process, or, through a remote worker, by the calling process as the bytes arrive),
    /// and the calling process moves it to this path as it completes the task: a task that
    /// succeeded has its file, and one that failed (cancelled, timed out, a worker killed) leaves
    /// this path untouched and no temporary file. The task yields a <see cref="Response"/> whose <see cref="Response.Content"/>
    /// is empty and whose <see cref="Response.DownloadPath"/> is set; a callback runs after the
    /// file is complete. A relative path is resolved against the caller's current directory.
    /// Default: <see langword="null"/>.
    /// </summary>
    [Key(9)]
    public string? DownloadTo { get; set; }

    /// <summary>
    /// A file of the calling process to send as the request body, streamed, never whole in memory:
    /// read in place by the thread or a local worker process (the calling process never reads it
    /// then), or streamed by the calling process to a remote worker. Not together with <see cref="Json"/>, <see cref="Form"/>
    /// or <see cref="Body"/>; the file must exist when the request is made. Its Content-Type is
    /// <see cref="ContentType"/>. Default: <see langword="null"/>.
    /// </summary>
    [Key(10)]
    public string? UploadFrom { get; set; }

    /// <summary>
    /// Receives <see cref="TransferProgress"/> reports in the calling process, whichever executor
    /// runs the request: at most about ten a second, and once at the end with the final counts.
    /// Not sent anywhere; only its presence is. Default: <see langword="null"/>.
    /// </summary>
    [IgnoreMember]
    public IProgress<TransferProgress>? Progress { get; set; }

    /// <summary>Retries for this request, instead of the session's <see cref="SessionOptions.Retry"/>. Default: <see langword="null"/> (the session's).</summary>
    [Key(11)]
    public RetryPolicy? Retry { get; set; }
}
