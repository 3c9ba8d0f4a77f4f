using MessagePack;

namespace Session.Contracts;

/// <summary>
/// The per-request arguments of Python requests (<c>headers=</c>, <c>params=</c>, <c>json=</c>,
/// <c>data=</c>, <c>timeout=</c>, …). At most one of <see cref="Json"/>, <see cref="Form"/>
/// (when not empty) and <see cref="Body"/> may be set.
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
}
