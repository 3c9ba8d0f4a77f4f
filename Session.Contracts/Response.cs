using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MessagePack;
using ProcessFutures.Internal;

namespace ProcessFutures;

/// <summary>
/// An HTTP response, the counterpart of <c>requests.Response</c>. Usually it holds its whole
/// body in <see cref="Content"/>, no connection and no stream, so it can be kept, passed between
/// threads and sent between processes (it is MessagePack-serializable: a callback in a worker may
/// return it). With <see cref="RequestOptions.Stream"/> it holds the live body instead, read from
/// <see cref="ContentStream"/>; with <see cref="RequestOptions.DownloadTo"/> the body is in the
/// file <see cref="DownloadPath"/>.
/// </summary>
/// <remarks>
/// Dispose a streamed response when done with it (a <c>using</c> around it): that ends its
/// exchange and frees the executor's slot, as disposing an <see cref="HttpResponseMessage"/>
/// frees its connection. Disposing any other response does nothing, and is harmless.
/// </remarks>
[MessagePackFormatter(typeof(ResponseFormatter))]
public sealed class Response : IDisposable, IAsyncDisposable
{
    private readonly byte[]? _content;
    private readonly Stream? _stream;
    private string? _text;

    /// <summary>
    /// Creates a response whose body is in memory: what executors make, and what a test of a
    /// callback can make to call it directly.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="reasonPhrase">The reason phrase, if any.</param>
    /// <param name="url">The final URL.</param>
    /// <param name="headers">Response and content headers; looked up case-insensitively whatever the dictionary's comparer.</param>
    /// <param name="content">The body (empty for none, or when it went to <paramref name="downloadPath"/>).</param>
    /// <param name="elapsed">The time to the response's headers.</param>
    /// <param name="processId">The process that made the request; default: this one.</param>
    /// <param name="downloadPath">The file the body was saved to, if it was.</param>
    /// <param name="attempts">How many attempts the request took.</param>
    public Response(int statusCode, string? reasonPhrase, Uri url, IReadOnlyDictionary<string, string> headers, byte[] content, TimeSpan elapsed = default, int processId = 0, string? downloadPath = null, int attempts = 1)
        : this(statusCode, reasonPhrase, url, headers, elapsed, processId, attempts)
    {
        ArgumentNullException.ThrowIfNull(content);
        _content = content;
        DownloadPath = downloadPath;
    }

    /// <summary>
    /// Creates a streamed response (<see cref="RequestOptions.Stream"/>): <paramref name="contentStream"/>
    /// is its live body, which <see cref="Dispose"/> disposes.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <param name="reasonPhrase">The reason phrase, if any.</param>
    /// <param name="url">The final URL.</param>
    /// <param name="headers">Response and content headers; looked up case-insensitively whatever the dictionary's comparer.</param>
    /// <param name="contentStream">The body, read as it arrives.</param>
    /// <param name="elapsed">The time to the response's headers.</param>
    /// <param name="processId">The process that made the request; default: this one.</param>
    /// <param name="attempts">How many attempts the request took.</param>
    public Response(int statusCode, string? reasonPhrase, Uri url, IReadOnlyDictionary<string, string> headers, Stream contentStream, TimeSpan elapsed = default, int processId = 0, int attempts = 1)
        : this(statusCode, reasonPhrase, url, headers, elapsed, processId, attempts)
    {
        ArgumentNullException.ThrowIfNull(contentStream);
        _stream = contentStream;
    }

    private Response(int statusCode, string? reasonPhrase, Uri url, IReadOnlyDictionary<string, string> headers, TimeSpan elapsed, int processId, int attempts)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        Attempts = attempts;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Url = url;
        Headers = headers is Dictionary<string, string> own && own.Comparer == StringComparer.OrdinalIgnoreCase
            ? own
            : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        Elapsed = elapsed;
        ProcessId = processId == 0 ? Environment.ProcessId : processId;
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

    /// <summary>The body, decompressed (gzip, deflate, brotli). Empty when there is none, and when it went to <see cref="DownloadPath"/>.</summary>
    /// <exception cref="InvalidOperationException">The response is streamed (<see cref="RequestOptions.Stream"/>): read <see cref="ContentStream"/>.</exception>
    public byte[] Content => Buffered(nameof(Content));

    /// <summary>
    /// The body as a read-only stream. For a streamed response (<see cref="RequestOptions.Stream"/>)
    /// it is the live body, read once as it arrives; otherwise each access returns a new stream
    /// over <see cref="Content"/>.
    /// </summary>
    public Stream ContentStream => _stream ?? new MemoryStream(_content!, writable: false);

    /// <summary>The file the body was saved to, for a request made with <see cref="RequestOptions.DownloadTo"/>; otherwise <see langword="null"/>.</summary>
    public string? DownloadPath { get; }

    /// <summary>How many attempts the request took: 1, or more when a <see cref="RetryPolicy"/> retried it.</summary>
    public int Attempts { get; }

    internal bool IsStreamed => _stream is not null;

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
    /// <exception cref="InvalidOperationException">The response is streamed: read <see cref="ContentStream"/>.</exception>
    public T? Json<T>() => JsonSerializer.Deserialize<T>(Buffered(nameof(Json)), JsonSerializerOptions.Web);

    /// <summary>Parses the body as a JSON document and returns its root (detached from the parser, safe to keep).</summary>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    /// <exception cref="InvalidOperationException">The response is streamed: read <see cref="ContentStream"/>.</exception>
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Buffered(nameof(Json)));
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

    /// <summary>For a streamed response, ends its exchange (if the body was not read to its end) and frees the executor's slot; otherwise does nothing.</summary>
    public void Dispose() => _stream?.Dispose();

    /// <summary>For a streamed response, ends its exchange (if the body was not read to its end) and frees the executor's slot; otherwise does nothing.</summary>
    /// <returns>A task that completes when the stream is released.</returns>
    public ValueTask DisposeAsync() => _stream?.DisposeAsync() ?? ValueTask.CompletedTask;

    private byte[] Buffered(string member) => _content ?? throw NotBuffered(member);

    private static InvalidOperationException NotBuffered(string member) => new(
        $"This response was requested with RequestOptions.Stream = true, so its body was not read into memory and '{member}' has nothing to give: " +
        "read the body from Response.ContentStream as it arrives, or request it without Stream (or with DownloadTo, to save it to a file).");

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

        ReadOnlySpan<byte> bytes = Buffered(nameof(Text));
        ReadOnlySpan<byte> preamble = encoding.Preamble;
        if (!preamble.IsEmpty && bytes.StartsWith(preamble))
        {
            bytes = bytes[preamble.Length..];
        }

        return encoding.GetString(bytes);
    }
}
