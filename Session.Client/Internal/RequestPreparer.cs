using System.Text;

namespace ProcessFutures.Internal;

/// <summary>
/// Turns a call (method, URL, <see cref="RequestOptions"/>) and a session's
/// <see cref="SessionOptions"/> into a self-contained <see cref="HttpRequestData"/>, on the
/// calling thread: every argument error is thrown here, synchronously, before anything is queued.
/// </summary>
internal static partial class RequestPreparer
{
    public static HttpRequestData Prepare(HttpMethod method, string url, SessionOptions session, RequestOptions? request, TransportSettings transport, bool allowRelative)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        ValidateSession(session, "options");

        string resolved = ResolveUrl(url, session.BaseAddress, request?.Params, allowRelative);
        var headers = new List<KeyValuePair<string, string>>(session.Headers.Count + (request?.Headers.Count ?? 0) + 2);
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in session.Headers)
        {
            SetHeader(headers, index, header.Key, header.Value);
        }

        if (session.BasicAuth is (string user, string password))
        {
            SetHeader(headers, index, "Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        else if (session.BearerToken is { } token)
        {
            SetHeader(headers, index, "Authorization", "Bearer " + token);
        }

        byte[]? content = null;
        string? upload = null;
        BodyMode mode = BodyMode.Buffer;
        string? downloadPath = null;
        string? downloadTempPath = null;
        TimeSpan timeout = session.Timeout ?? SessionOptions.DefaultTimeout;
        bool allowRedirects = session.AllowRedirects;
        List<KeyValuePair<string, string>> cookies = [.. session.Cookies];
        if (request is not null)
        {
            if (request.Headers is null || request.Params is null || request.Cookies is null || request.Form is null)
            {
                throw new ArgumentException("RequestOptions.Headers, Params, Cookies and Form may be empty but not null.", nameof(request));
            }

            var problems = new List<string>();
            AddHeaderProblems(request.Headers, problems);
            if (problems.Count > 0)
            {
                throw new ArgumentException(string.Join(" ", problems), nameof(request));
            }

            (content, string? contentType) = EncodeBody(request);
            if (request.UploadFrom is { } uploadFrom)
            {
                upload = UploadPath(uploadFrom);
                contentType = request.ContentType;
            }

            if (request.DownloadTo is { } downloadTo)
            {
                if (request.Stream)
                {
                    throw new ArgumentException("RequestOptions sets both Stream and DownloadTo; a body is either read as it arrives or saved to a file. Choose one.", nameof(request));
                }

                (downloadPath, downloadTempPath) = DownloadPaths(downloadTo);
                mode = BodyMode.Download;
            }
            else if (request.Stream)
            {
                mode = BodyMode.Stream;
            }

            if (contentType is not null && !request.Headers.ContainsKey("Content-Type"))
            {
                SetHeader(headers, index, "Content-Type", contentType);
            }

            foreach (KeyValuePair<string, string> header in request.Headers)
            {
                SetHeader(headers, index, header.Key, header.Value);
            }

            foreach (KeyValuePair<string, string> cookie in request.Cookies)
            {
                cookies.RemoveAll(c => c.Key == cookie.Key);
                cookies.Add(cookie);
            }

            if (request.Timeout is { } requestTimeout)
            {
                if (TimeoutProblem(requestTimeout) is { } problem)
                {
                    throw new ArgumentOutOfRangeException(nameof(request), requestTimeout, problem);
                }

                timeout = requestTimeout;
            }

            allowRedirects = request.AllowRedirects ?? allowRedirects;
        }

        return new HttpRequestData
        {
            Method = method.Method,
            Url = resolved,
            Headers = headers,
            Cookies = cookies,
            Content = content,
            Timeout = timeout,
            AllowRedirects = allowRedirects,
            MaxRedirects = session.MaxRedirects,
            Transport = transport,
            Mode = mode,
            DownloadPath = downloadPath,
            DownloadTempPath = downloadTempPath,
            UploadFrom = upload,
            MaxBufferedContentBytes = session.MaxBufferedContentBytes,
            ReportProgress = request?.Progress is not null,
            Retry = RetryPolicyProblems(request?.Retry ?? session.Retry),
        };
    }

    private static string ResolveUrl(string url, Uri? baseAddress, IDictionary<string, string>? parameters, bool allowRelative)
    {
        // "/path" would parse as an absolute file: URI on Unix; a URL starting with '/' is relative here.
        Uri? uri = null;
        bool absolute = !url.StartsWith('/') && Uri.TryCreate(url, UriKind.Absolute, out uri);
        if (!absolute)
        {
            if (baseAddress is not null)
            {
                if (!Uri.TryCreate(baseAddress, url, out uri))
                {
                    throw new ArgumentException($"The URL '{url}' cannot be resolved against the session's BaseAddress '{baseAddress}'.", nameof(url));
                }
            }
            else if (allowRelative && Uri.TryCreate(url, UriKind.Relative, out Uri? relative))
            {
                // The wrapped HttpClient has a BaseAddress: it resolves the URL.
                return AppendQuery(relative.OriginalString, parameters);
            }
            else
            {
                throw new ArgumentException(
                    $"The URL '{url}' is not an absolute URL and the session has no BaseAddress; pass an absolute http or https URL, or set SessionOptions.BaseAddress.",
                    nameof(url));
            }
        }

        if (!IsHttp(uri!))
        {
            throw new ArgumentException($"The URL '{url}' has the scheme '{uri!.Scheme}'; only http and https are supported.", nameof(url));
        }

        return AppendQuery(uri!.AbsoluteUri, parameters);
    }

    private static string AppendQuery(string url, IDictionary<string, string>? parameters)
    {
        if (parameters is null || parameters.Count == 0)
        {
            return url;
        }

        var builder = new StringBuilder(url);
        int fragment = url.IndexOf('#', StringComparison.Ordinal);
        string suffix = string.Empty;
        if (fragment >= 0)
        {
            suffix = url[fragment..];
            builder.Length = fragment;
        }

        char separator = url.AsSpan(0, fragment >= 0 ? fragment : url.Length).Contains('?') ? '&' : '?';
        foreach (KeyValuePair<string, string> parameter in parameters)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(parameter.Key)).Append('=').Append(Uri.EscapeDataString(parameter.Value ?? string.Empty));
            separator = '&';
        }

        return builder.Append(suffix).ToString();
    }

    private static void SetHeader(List<KeyValuePair<string, string>> headers, Dictionary<string, int> index, string name, string value)
    {
        var pair = new KeyValuePair<string, string>(name, value);
        if (index.TryGetValue(name, out int at))
        {
            headers[at] = pair;
        }
        else
        {
            index[name] = headers.Count;
            headers.Add(pair);
        }
    }
}
