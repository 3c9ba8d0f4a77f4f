using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MessagePack;
using Session.Contracts.Internal;

namespace Session.Contracts;

/// <summary>
/// A completed HTTP response with its whole body, the counterpart of <c>requests.Response</c>.
/// It holds no connection and no stream, so it can be kept, passed between threads, and sent
/// between processes (it is MessagePack-serializable: a callback in a worker may return it).
/// </summary>
[MessagePackFormatter(typeof(ResponseFormatter))]
public sealed class Response
{
    private string? _text;

    internal Response(int statusCode, string? reasonPhrase, Uri url, IReadOnlyDictionary<string, string> headers, byte[] content, TimeSpan elapsed, int processId)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Url = url;
        Headers = headers;
        Content = content;
        Elapsed = elapsed;
        ProcessId = processId;
    }

    /// <summary>The HTTP status code, such as 200 or 404.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase the server sent, such as "OK", if any.</summary>
    public string? ReasonPhrase { get; }

    /// <summary>The final URL, after redirects.</summary>
    public Uri Url { get; }

    /// <summary>
    /// Response and content headers, looked up case-insensitively; a header sent several
    /// times (Set-Cookie among them) has its values joined by ", ".
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body, decompressed (gzip, deflate, brotli). Empty when there is none.</summary>
    public byte[] Content { get; }

    /// <summary>
    /// The body as text, decoded with the charset of the Content-Type header, or UTF-8 when it
    /// names none or one this runtime does not know. A leading byte order mark is skipped.
    /// </summary>
    public string Text => _text ??= Decode();

    /// <summary>The time from sending the request to having the response headers (as <c>requests.Response.elapsed</c>).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Whether <see cref="StatusCode"/> is in 200–299.</summary>
    public bool IsSuccessStatusCode => StatusCode is >= 200 and <= 299;

    /// <summary>The id of the process that made the request: this process for in-process executors, a worker's for <c>ProcessPoolExecutor</c>.</summary>
    public int ProcessId { get; }

    /// <summary>Deserializes the body as JSON with System.Text.Json's web defaults (camelCase, case-insensitive).</summary>
    /// <typeparam name="T">The type to deserialize to.</typeparam>
    /// <exception cref="JsonException">The body is not valid JSON for <typeparamref name="T"/>.</exception>
    public T? Json<T>() => JsonSerializer.Deserialize<T>(Content, JsonSerializerOptions.Web);

    /// <summary>Parses the body as a JSON document and returns its root (detached from the parser, safe to keep).</summary>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Content);
        return document.RootElement.Clone();
    }

    /// <summary>Throws when the status code is not a success one; returns this response otherwise, for chaining.</summary>
    /// <exception cref="HttpRequestException">The status is outside 200–299; its <see cref="HttpRequestException.StatusCode"/> is set.</exception>
    public Response EnsureSuccessStatusCode()
    {
        if (!IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"Response status code does not indicate success: {StatusCode} ({ReasonPhrase}) from '{Url}'.",
                inner: null,
                (HttpStatusCode)StatusCode);
        }

        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<Response [{StatusCode}] {Url}>";

    private string Decode()
    {
        Encoding encoding = Encoding.UTF8;
        if (Headers.TryGetValue("Content-Type", out string? contentType)
            && MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? mediaType)
            && mediaType.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // An unknown charset: fall back to UTF-8, as browsers and requests do for text.
            }
        }

        ReadOnlySpan<byte> bytes = Content;
        ReadOnlySpan<byte> preamble = encoding.Preamble;
        if (!preamble.IsEmpty && bytes.StartsWith(preamble))
        {
            bytes = bytes[preamble.Length..];
        }

        return encoding.GetString(bytes);
    }
}
