using System.Net;

namespace ProcessFutures.Internal;

/// <summary>
/// A cookie jar safe to share between threads. The session owns one (the client side owns the
/// cookies, whichever executor runs the requests); a worker builds a short-lived one per request
/// from the session's snapshot and records every Set-Cookie it sees, to send back.
/// </summary>
internal sealed class CookieJar
{
    private readonly Lock _lock = new();

    // Made on first use: most requests of most sessions carry and receive no cookies.
    private CookieContainer? _container;
    private readonly List<CookiesSet>? _recorded;

    public CookieJar()
    {
    }

    private CookieJar(bool record) => _recorded = record ? [] : null;

    /// <summary>The Set-Cookie values seen by a recording jar, grouped by the URL that set them.</summary>
    public IReadOnlyList<CookiesSet> Recorded => _recorded ?? [];

    /// <summary>A jar holding <paramref name="cookies"/> that records what is set in it.</summary>
    public static CookieJar ForWorker(CookieData[] cookies)
    {
        var jar = new CookieJar(record: true);
        foreach (CookieData cookie in cookies)
        {
            try
            {
                (jar._container ??= new CookieContainer()).Add(cookie.ToCookie());
            }
            catch (CookieException)
            {
                // A cookie this runtime cannot re-create is dropped, as a browser would.
            }
        }

        return jar;
    }

    public CookieData[] Snapshot()
    {
        lock (_lock)
        {
            if (_container is not { Count: > 0 })
            {
                return [];
            }

            CookieCollection all = _container.GetAllCookies();
            var result = new CookieData[all.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = CookieData.From(all[i]);
            }

            return result;
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
                    _recorded.Add(new CookiesSet(setBy, []));
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
