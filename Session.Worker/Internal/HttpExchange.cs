using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Sends a prepared request with an <see cref="HttpClient"/>: the one piece of HTTP logic, run
/// by the in-process executor and by every worker alike, so both behave the same.
/// Redirects are followed here rather than by the handler, so that cookies set by every hop
/// reach the session's jar (as in requests), and the request's own redirect setting applies.
/// </summary>
internal static class HttpExchange
{
    public static HttpClient CreateClient(TransportSettings transport)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            // Long-lived, but not forever: DNS changes are picked up (the IHttpClientFactory advice).
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (transport.Proxy.Length > 0)
        {
            handler.Proxy = new WebProxy(new Uri(transport.Proxy));
            handler.UseProxy = true;
        }

        if (!transport.VerifyTls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
        }

        // The request's own deadline applies (RequestDeadline), over the body too.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends <paramref name="request"/> and follows its redirects; returns the final response
    /// with its headers read and its body not yet read, which the caller disposes.
    /// </summary>
    public static async Task<ExchangeResult> SendAsync(HttpClient client, HttpRequest request, RequestBody body, CookieJar jar, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string method = request.Method;
        var url = new Uri(request.Url, UriKind.RelativeOrAbsolute);
        bool stripAuthorization = false;
        for (int hop = 0; ; hop++)
        {
            HttpResponseMessage response;
            using (HttpRequestMessage message = Build(request, method, url, body, jar, stripAuthorization, progress))
            {
                response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                url = message.RequestUri ?? url;
            }

            // A wrapped HttpClient may follow redirects itself; its response knows where it ended.
            url = response.RequestMessage?.RequestUri ?? url;
            if (response.Headers.NonValidated.TryGetValues("Set-Cookie", out HeaderStringValues setCookies) && url.IsAbsoluteUri)
            {
                foreach (string setCookie in setCookies)
                {
                    jar.SetCookies(url, setCookie);
                }
            }

            if (!request.AllowRedirects || hop >= request.MaxRedirects || !TryGetRedirect(response, url, out Uri? next))
            {
                return new ExchangeResult(response, url, Stopwatch.GetElapsedTime(started));
            }

            int status = (int)response.StatusCode;
            response.Dispose();
            if ((status == 303 && method != "HEAD") || (status is 301 or 302 && method == "POST"))
            {
                // What browsers, HttpClient and requests all do: the redirect becomes a GET without a body.
                method = "GET";
                body = RequestBody.None;
            }

            stripAuthorization |= !IsSameOrigin(url, next);
            url = next;
        }
    }

    /// <summary>Response and content headers, case-insensitive, repeated values joined by ", ".</summary>
    public static Dictionary<string, string> CollectHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, HeaderStringValues> header in response.Headers.NonValidated)
        {
            headers[header.Key] = header.Value.ToString();
        }

        foreach (KeyValuePair<string, HeaderStringValues> header in response.Content.Headers.NonValidated)
        {
            headers[header.Key] = header.Value.ToString();
        }

        return headers;
    }

    private static HttpRequestMessage Build(HttpRequest request, string method, Uri url, RequestBody body, CookieJar jar, bool stripAuthorization, ProgressTracker? progress)
    {
        var message = new HttpRequestMessage(HttpMethod.Parse(method), url) { Content = body.CreateContent(progress) };
        foreach (Header header in request.Headers)
        {
            if (stripAuthorization && header.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Names that are not request headers are content headers (Content-Type and kin);
            // without a body there is no content to carry them, and they are dropped.
            if (!message.Headers.TryAddWithoutValidation(header.Name, header.Value))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Name, header.Value);
            }
        }

        string cookie = CookieHeader(request.Cookies, jar.GetCookieHeader(url));
        if (cookie.Length > 0)
        {
            message.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        return message;
    }

    private static string CookieHeader(IReadOnlyList<Header> cookies, string fromJar)
    {
        if (cookies.Count == 0)
        {
            return fromJar;
        }

        var builder = new StringBuilder();
        foreach (Header cookie in cookies)
        {
            if (builder.Length > 0)
            {
                builder.Append("; ");
            }

            builder.Append(cookie.Name).Append('=').Append(cookie.Value);
        }

        // The request's cookies come first: servers take the first of two of the same name.
        if (fromJar.Length > 0)
        {
            builder.Append("; ").Append(fromJar);
        }

        return builder.ToString();
    }

    private static bool TryGetRedirect(HttpResponseMessage response, Uri current, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? next)
    {
        next = null;
        int status = (int)response.StatusCode;
        if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not Uri location)
        {
            return false;
        }

        if (!location.IsAbsoluteUri)
        {
            if (!current.IsAbsoluteUri)
            {
                return false;
            }

            location = new Uri(current, location);
        }

        if (location.Scheme != Uri.UriSchemeHttp && location.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        next = location;
        return true;
    }

    private static bool IsSameOrigin(Uri a, Uri b) =>
        a.IsAbsoluteUri && b.IsAbsoluteUri && Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
