using HttpBin.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HttpBin;

/// <summary>Failures on demand: connections dropped before or during a body.</summary>
public sealed partial class HttpBinServer
{
    private static void MapFaults(WebApplication app)
    {
        app.MapGet("/drop", (HttpContext c) =>
        {
            // Closes the connection without a response: a transport failure for the client.
            c.Abort();
            return Task.CompletedTask;
        });
        app.MapGet("/drop-after/{n:long}", DropAfterAsync);
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
}
