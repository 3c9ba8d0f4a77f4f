using System.Net;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// A cookie jar safe to share between threads. The session owns one (the client side owns the
/// cookies, whichever executor runs the requests); a worker builds a short-lived one per request
/// from the session's snapshot and records every Set-Cookie it sees, to send back.
/// </summary>
internal sealed class CookieJar
{
    private readonly Lock _lock = new();
    private readonly List<CookiesSet>? _recorded;

    // Made on first use: most requests of most sessions carry and receive no cookies.
    private CookieContainer? _container;

    public CookieJar()
    {
    }

    private CookieJar(bool record) => _recorded = record ? [] : null;

    /// <summary>The Set-Cookie values seen by a recording jar, grouped by the URL that set them.</summary>
    public IReadOnlyList<CookiesSet> Recorded => _recorded ?? [];

    /// <summary>A jar holding <paramref name="cookies"/> that records what is set in it.</summary>
    public static CookieJar ForWorker(IEnumerable<JarCookie> cookies)
    {
        var jar = new CookieJar(record: true);
        foreach (JarCookie cookie in cookies)
        {
            try
            {
                var created = new Cookie(cookie.Name, cookie.Value, cookie.Path.Length > 0 ? cookie.Path : "/", cookie.Domain) { Secure = cookie.Secure };
                if (cookie.ExpiresUtcTicks != 0)
                {
                    created.Expires = new DateTime(cookie.ExpiresUtcTicks, DateTimeKind.Utc);
                }

                (jar._container ??= new CookieContainer()).Add(created);
            }
            catch (Exception exception) when (exception is CookieException or ArgumentException)
            {
                // A cookie this runtime cannot re-create is dropped, as a browser would.
            }
        }

        return jar;
    }

    /// <summary>The jar's cookies, to send with a request to a worker.</summary>
    public void CopyTo(ICollection<JarCookie> target)
    {
        lock (_lock)
        {
            if (_container is not { Count: > 0 })
            {
                return;
            }

            foreach (Cookie cookie in _container.GetAllCookies())
            {
                target.Add(new JarCookie
                {
                    Name = cookie.Name,
                    Value = cookie.Value,
                    Domain = cookie.Domain,
                    Path = cookie.Path,
                    Secure = cookie.Secure,
                    ExpiresUtcTicks = cookie.Expires == DateTime.MinValue ? 0 : cookie.Expires.ToUniversalTime().Ticks,
                });
            }
        }
    }

    public string GetCookieHeader(Uri url)
    {
        lock (_lock)
        {
            return _container is not { Count: > 0 } || !url.IsAbsoluteUri ? string.Empty : _container.GetCookieHeader(url);
        }
    }

    public void SetCookies(Uri url, string setCookieHeader)
    {
        lock (_lock)
        {
            if (_recorded is not null)
            {
                // One entry per response, not per cookie: a URL may be long and cookies many.
                string setBy = url.AbsoluteUri;
                if (_recorded.Count == 0 || _recorded[^1].Url != setBy)
                {
                    _recorded.Add(new CookiesSet { Url = setBy });
                }

                _recorded[^1].Values.Add(setCookieHeader);
            }

            try
            {
                (_container ??= new CookieContainer()).SetCookies(url, setCookieHeader);
            }
            catch (CookieException)
            {
                // A malformed Set-Cookie is ignored, as browsers and requests ignore it.
            }
        }
    }
}
