using System.Globalization;
using HttpBin.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace HttpBin;

/// <summary>Cookies: set, deleted, echoed, and set in bulk across redirects.</summary>
public sealed partial class HttpBinServer
{
    /// <summary>The most cookies one /cookies/many answer sets.</summary>
    private const int MaxManyCookies = 10_000;

    /// <summary>The longest cookie value /cookies/many makes.</summary>
    private const int MaxCookieValueLength = 8192;

    /// <summary>The most redirects /cookies/many can be asked to chain.</summary>
    private const int MaxCookieRedirects = 100;

    private static void MapCookies(WebApplication app)
    {
        app.MapGet("/cookies", (HttpContext c) => Results.Json(new { cookies = c.Request.Cookies.ToDictionary(p => p.Key, p => p.Value) }));
        app.MapGet("/cookies/set", (HttpContext c) =>
        {
            foreach (KeyValuePair<string, StringValues> pair in c.Request.Query)
            {
                c.Response.Cookies.Append(pair.Key, pair.Value.ToString(), new CookieOptions { Path = "/" });
            }

            return Results.Redirect("/cookies");
        });
        app.MapGet("/cookies/delete", (HttpContext c) =>
        {
            foreach (string name in c.Request.Query.Keys)
            {
                c.Response.Cookies.Delete(name, new CookieOptions { Path = "/" });
            }

            return Results.Redirect("/cookies");
        });
        app.MapGet("/cookies/many", ManyCookies);
    }

    /// <summary>
    /// /cookies/many?count=N&amp;size=S&amp;redirects=R: sets cookies c0..c{N-1} (default 10, values of S
    /// characters, default 8, Path=/), one Set-Cookie header each; while R &gt; 0 it redirects (302) to
    /// itself with R - 1 and every other parameter kept; the last hop answers how many cookies the request carried.
    /// </summary>
    private static IResult ManyCookies(HttpContext context)
    {
        if (!QueryValues.TryGet(context, "count", 10, 0, MaxManyCookies, out long count, out IResult? problem)
            || !QueryValues.TryGet(context, "size", 8, 1, MaxCookieValueLength, out long size, out problem)
            || !QueryValues.TryGet(context, "redirects", 0, 0, MaxCookieRedirects, out long redirects, out problem))
        {
            return problem!;
        }

        var options = new CookieOptions { Path = "/" };
        for (int i = 0; i < count; i++)
        {
            context.Response.Cookies.Append(string.Create(CultureInfo.InvariantCulture, $"c{i}"), new string((char)('a' + (i % 26)), (int)size), options);
        }

        if (redirects == 0)
        {
            return Results.Json(new { cookies = context.Request.Cookies.Count });
        }

        string next = (redirects - 1).ToString(CultureInfo.InvariantCulture);
        IEnumerable<KeyValuePair<string, StringValues>> query = context.Request.Query
            .Select(p => p.Key == "redirects" ? new KeyValuePair<string, StringValues>(p.Key, next) : p);
        return Results.Redirect($"{context.Request.PathBase}{context.Request.Path}{new QueryBuilder(query).ToQueryString()}");
    }
}
