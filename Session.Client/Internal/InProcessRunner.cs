using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs one request in this process (the <see cref="ThreadPoolExecutor"/>'s way): the exchange,
/// the body as the request asked (buffered, streamed, or saved to a file), then the callback.
/// </summary>
/// <remarks>
/// The request's timeout is a deadline for all of it but the reading of a streamed body: when it
/// passes, the task ends with the timeout at once, even while a synchronous callback runs (a
/// thread cannot be stopped: the callback runs on, its result is dropped, and its slot stays busy
/// until it returns). An asynchronous callback's token is cancelled at the deadline.
/// </remarks>
internal static class InProcessRunner
{
    public static async Task RunAsync(PendingWork work)
    {
        HttpRequestData request = work.Request;
        Response? response = null;
        bool handedOver = false;
        var deadline = new RequestDeadline(request.Timeout, work.CancellationToken);
        CancellationTokenRegistration onDeadline = default;

        // The request's span (or the caller's) is the parent of HttpClient's own: it sends a
        // traceparent from the caller's trace. This loop's previous activity comes back after.
        Activity? previous = Activity.Current;
        Activity.Current = work.Activity ?? work.CallerActivity;
        try
        {
            ReadOnlyMemory<byte>? body = request.Content is { } bytes ? bytes : null;
            ExchangeResult exchange = await ResilientExchange.SendAsync(work.Session.HttpClient, request, body, work.Session.Jar, work.Progress, deadline.Token).ConfigureAwait(false);
            work.StatusCode = (int)exchange.Response.StatusCode;
            response = await ResponseReader.ReadAsync(exchange, request, work.Progress, deadline.Token).ConfigureAwait(false);
            if (request.Mode == BodyMode.Stream && !work.HasCallback)
            {
                // The caller reads the body at its own pace; its place here is held until it is done.
                deadline.Disarm();
                var stream = (ResponseBodyStream)response.ContentStream;
                handedOver = work.Complete(response);
                if (handedOver)
                {
                    await stream.Released.ConfigureAwait(false);
                }

                return;
            }

            // The exchange and the body stop at the deadline by themselves (and clean up before the
            // task ends); a synchronous callback does not, so the deadline ends the task directly.
            onDeadline = deadline.Token.UnsafeRegister(
                static state =>
                {
                    var (work, deadline) = ((PendingWork, RequestDeadline))state!;
                    work.Fail(deadline.TimedOut ? RequestDeadline.TimeoutException(deadline.Timeout) : new OperationCanceledException(work.CancellationToken));
                },
                (work, deadline));
            handedOver = await work.RunLocallyAsync(response, deadline.Token).ConfigureAwait(false);
            if (handedOver && request.Mode == BodyMode.Stream)
            {
                // The callback gave the live response itself to the caller: its place is held, as above.
                onDeadline.Dispose();
                deadline.Disarm();
                await ((ResponseBodyStream)response.ContentStream).Released.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException exception)
        {
            work.Fail(deadline.Translate(exception));
        }
        catch (Exception exception)
        {
            work.Fail(exception);
        }
        finally
        {
            Activity.Current = previous;
            onDeadline.Dispose();
            deadline.Dispose();
            if (response is not null && !handedOver)
            {
                await response.DisposeAsync().ConfigureAwait(false);
            }

            // Every path above ends the work; this makes sure of it.
            work.EndIfStillRunning(new InvalidOperationException("The request ended without a result; this is a bug in ProcessFutures."));
        }
    }
}
