using System.Text;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Turns a call (method, URL, <see cref="RequestOptions"/>) and a session's
/// <see cref="SessionOptions"/> into a self-contained request: the protocol's
/// <see cref="HttpRequest"/>, as any executor sends it, and what stays on the calling side (the
/// body's bytes or file, the download's destination). On the calling thread: every argument
/// error is thrown here, synchronously, before anything is queued.
/// </summary>
internal static partial class RequestPreparer
{
    public static PreparedRequest Prepare(HttpMethod method, string url, SessionOptions session, RequestOptions? request, TransportSettings transport, bool allowRelative)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        ValidateSession(session, "options");

        var wire = new HttpRequest
        {
            Method = method.Method,
            Url = ResolveUrl(url, session.BaseAddress, request?.Params, allowRelative),
            AllowRedirects = session.AllowRedirects,
            MaxRedirects = session.MaxRedirects,
            Transport = transport,
            MaxBufferedContentBytes = session.MaxBufferedContentBytes,
        };
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in session.Headers)
        {
            SetHeader(wire.Headers, index, header.Key, header.Value);
        }

        if (session.BasicAuth is (string user, string password))
        {
            SetHeader(wire.Headers, index, "Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        else if (session.BearerToken is { } token)
        {
            SetHeader(wire.Headers, index, "Authorization", "Bearer " + token);
        }

        foreach (KeyValuePair<string, string> cookie in session.Cookies)
        {
            wire.Cookies.Add(new Header { Name = cookie.Key, Value = cookie.Value });
        }

        byte[]? content = null;
        string? upload = null;
        string? downloadTo = null;
        TimeSpan timeout = session.Timeout ?? SessionOptions.DefaultTimeout;
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

            if (request.DownloadTo is { } destination)
            {
                if (request.Stream)
                {
                    throw new ArgumentException("RequestOptions sets both Stream and DownloadTo; a body is either read as it arrives or saved to a file. Choose one.", nameof(request));
                }

                downloadTo = DownloadPath(destination);
                wire.BodyMode = BodyMode.Download;
            }
            else if (request.Stream)
            {
                wire.BodyMode = BodyMode.Stream;
            }

            if (contentType is not null && !request.Headers.ContainsKey("Content-Type"))
            {
                SetHeader(wire.Headers, index, "Content-Type", contentType);
            }

            foreach (KeyValuePair<string, string> header in request.Headers)
            {
                SetHeader(wire.Headers, index, header.Key, header.Value);
            }

            foreach (KeyValuePair<string, string> cookie in request.Cookies)
            {
                for (int i = wire.Cookies.Count - 1; i >= 0; i--)
                {
                    if (wire.Cookies[i].Name == cookie.Key)
                    {
                        wire.Cookies.RemoveAt(i);
                    }
                }

                wire.Cookies.Add(new Header { Name = cookie.Key, Value = cookie.Value });
            }

            if (request.Timeout is { } requestTimeout)
            {
                if (TimeoutProblem(requestTimeout) is { } problem)
                {
                    throw new ArgumentOutOfRangeException(nameof(request), requestTimeout, problem);
                }

                timeout = requestTimeout;
            }

            wire.AllowRedirects = request.AllowRedirects ?? wire.AllowRedirects;
            wire.ReportProgress = request.Progress is not null;
        }

        wire.Retry = ToRetrySettings(request?.Retry ?? session.Retry);
        return new PreparedRequest(wire, content, upload, downloadTo, timeout);
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

    private static void SetHeader(IList<Header> headers, Dictionary<string, int> index, string name, string value)
    {
        var header = new Header { Name = name, Value = value };
        if (index.TryGetValue(name, out int at))
        {
            headers[at] = header;
        }
        else
        {
            index[name] = headers.Count;
            headers.Add(header);
        }
    }
}
