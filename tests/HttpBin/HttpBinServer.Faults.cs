using System.Collections.Concurrent;
using System.Globalization;
using HttpBin.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HttpBin;

/// <summary>Failures on demand: connections dropped before or during a body, and endpoints that fail a set number of times.</summary>
public sealed partial class HttpBinServer
{
    /// <summary>The most failures /flaky/{key} can be asked for.</summary>
    private const int MaxFlakyFailures = 1000;

    /// <summary>The most seconds /flaky/{key} can ask the client to wait (one day).</summary>
    private const int MaxRetryAfterSeconds = 86_400;

    // One counter per key ever requested: grows with the distinct keys the tests use, nothing else.
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    /// <summary>How many requests /flaky/{key} has answered for <paramref name="key"/>; 0 for a key never requested.</summary>
    public int Attempts(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _attempts.TryGetValue(key, out int attempts) ? attempts : 0;
    }

    private void MapFaults(WebApplication app)
    {
        app.MapGet("/drop", (HttpContext c) =>
        {
            // Closes the connection without a response: a transport failure for the client.
            c.Abort();
            return Task.CompletedTask;
        });
        app.MapGet("/drop-after/{n:long}", DropAfterAsync);
        app.Map("/flaky/{key}", Flaky);
    }

    /// <summary>
    /// /drop-after/{n}?length=L&amp;seed=: announces L bytes (default 2n, at least n + 1), sends the
    /// first n of them, and ends the connection: the client sees the body cut after exactly n bytes.
    /// </summary>
    private static async Task DropAfterAsync(HttpContext context, long n)
    {
        if (n < 0 || n == long.MaxValue)
        {
            await QueryValues.BadRequest($"The number of bytes to send must be from 0 to {long.MaxValue - 1}, not '{n}'.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        long announcedDefault = n > long.MaxValue / 2 ? long.MaxValue : Math.Max(2 * n, n + 1);
        if (!QueryValues.TryGet(context, "length", announcedDefault, n + 1, long.MaxValue, out long announced, out IResult? problem))
        {
            await problem!.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = announced;
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteGeneratedAsync(context.Response.BodyWriter, new DeterministicBytes(QueryValues.Seed(context)), n, context.RequestAborted).ConfigureAwait(false);

        // Every piece is flushed. Not HttpContext.Abort() now: that shuts the socket at once and throws
        // away whatever Kestrel has not sent yet, so the client could see fewer than n bytes. Ending
        // the response short of its Content-Length makes Kestrel close the connection instead, after
        // sending everything written.
    }

    /// <summary>
    /// /flaky/{key}?fail=F&amp;status=S&amp;retryAfter=T: the first F requests for the key (default 1)
    /// answer S (default 503), with Retry-After: T when T is given; later ones answer 200 with the attempt number.
    /// </summary>
    private IResult Flaky(HttpContext context, string key)
    {
        if (!QueryValues.TryGet(context, "fail", 1, 0, MaxFlakyFailures, out long fail, out IResult? problem)
            || !QueryValues.TryGet(context, "status", StatusCodes.Status503ServiceUnavailable, 200, 599, out long status, out problem)
            || !QueryValues.TryGet(context, "retryAfter", -1, 0, MaxRetryAfterSeconds, out long retryAfter, out problem))
        {
            return problem!;
        }

        int attempt = _attempts.AddOrUpdate(key, 1, (_, previous) => previous + 1);
        if (attempt > fail)
        {
            return Results.Json(new { attempt });
        }

        if (retryAfter >= 0)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        return Results.StatusCode((int)status);
    }
}
