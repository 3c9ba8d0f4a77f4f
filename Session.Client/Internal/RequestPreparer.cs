using System.Text;
using System.Text.Json;
using Session.Contracts;
using Session.Contracts.Internal;

namespace Session.Client.Internal;

/// <summary>
/// Turns a call (method, URL, <see cref="RequestOptions"/>) and a session's
/// <see cref="SessionOptions"/> into a self-contained <see cref="HttpRequestData"/>, on the
/// calling thread: every argument error is thrown here, synchronously, before anything is queued.
/// </summary>
internal static class RequestPreparer
{
    /// <summary>Checks a session's options; every problem is reported in one exception.</summary>
    public static void ValidateSession(SessionOptions options, string paramName)
    {
        var problems = new List<string>();
        if (options.BaseAddress is { } baseAddress && !IsHttp(baseAddress))
        {
            problems.Add($"BaseAddress '{baseAddress}' must be an absolute http or https URL.");
        }

        if (options.Proxy is { IsAbsoluteUri: false } proxy)
        {
            problems.Add($"Proxy '{proxy}' must be an absolute URL.");
        }

        if (options.Timeout is { } timeout && TimeoutProblem(timeout) is { } timeoutProblem)
        {
            problems.Add(timeoutProblem);
        }

        if (options.MaxRedirects < 0)
        {
            problems.Add($"MaxRedirects '{options.MaxRedirects}' must be 0 or more.");
        }

        if (options.BasicAuth is not null && options.BearerToken is not null)
        {
            problems.Add("BasicAuth and BearerToken are both set; set one of them.");
        }

        if (options.Headers is null || options.Cookies is null)
        {
            problems.Add("Headers and Cookies may be empty but not null.");
        }
        else
        {
            AddHeaderProblems(options.Headers, problems);
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The session options are not valid: {string.Join(" ", problems)}", paramName);
        }
    }

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

    private static (byte[]? Content, string? ContentType) EncodeBody(RequestOptions request)
    {
        int bodies = (request.Json is not null ? 1 : 0) + (request.Form.Count > 0 ? 1 : 0) + (request.Body is not null ? 1 : 0);
        if (bodies > 1)
        {
            throw new ArgumentException("RequestOptions sets more than one of Json, Form and Body; a request has one body.", nameof(request));
        }

        if (request.Json is { } json)
        {
            return (JsonSerializer.SerializeToUtf8Bytes(json, json.GetType(), JsonSerializerOptions.Web), "application/json");
        }

        if (request.Form.Count > 0)
        {
            var builder = new StringBuilder();
            foreach (KeyValuePair<string, string> field in request.Form)
            {
                if (builder.Length > 0)
                {
                    builder.Append('&');
                }

                builder.Append(FormEscape(field.Key)).Append('=').Append(FormEscape(field.Value ?? string.Empty));
            }

            return (Encoding.UTF8.GetBytes(builder.ToString()), "application/x-www-form-urlencoded");
        }

        return (request.Body, request.Body is null ? null : request.ContentType);
    }

    private static string FormEscape(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

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

    private static void AddHeaderProblems(IDictionary<string, string> headers, List<string> problems)
    {
        foreach (KeyValuePair<string, string> header in headers)
        {
            if ((HeaderRules.ProblemWithName(header.Key) ?? HeaderRules.ProblemWithValue(header.Key, header.Value)) is { } problem)
            {
                problems.Add(problem);
            }
        }
    }

    private static string? TimeoutProblem(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || (timeout > TimeSpan.Zero && timeout.TotalMilliseconds <= int.MaxValue)
            ? null
            : $"The timeout '{timeout}' must be positive (and under 24.8 days), or Timeout.InfiniteTimeSpan for none.";

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
