using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>Runs one request in this process (the thread pool's way): the request runner, answering the caller's task directly.</summary>
internal static class LocalRun
{
    /// <summary>Runs <paramref name="work"/>; the lease of a streamed body the caller now holds, if any (the slot waits on it).</summary>
    public static async Task<SlotLease?> RunAsync(PendingWork work)
    {
        var answer = new LocalAnswer(work);

        // The request's span (or the caller's) is the parent of HttpClient's own: it sends a
        // traceparent from the caller's trace. This loop's previous activity comes back after.
        Activity? previous = Activity.Current;
        Activity.Current = work.Activity ?? work.CallerActivity;
        try
        {
            PreparedRequest prepared = work.Prepared;
            work.Request.DownloadPath = work.DownloadTemporary ?? string.Empty;
            await RequestRunner.RunAsync(
                new RequestRun
                {
                    Client = work.Session.HttpClient,
                    Request = work.Request,
                    Body = prepared.UploadFrom is { } file ? RequestBody.FromFile(file) : prepared.Content is { } bytes ? RequestBody.FromBytes(bytes) : RequestBody.None,
                    Jar = work.Session.Jar,
                    Deadline = work.Deadline,
                    Progress = work.Progress,
                },
                answer).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            work.Fail(exception);
        }
        finally
        {
            Activity.Current = previous;

            // Every path above ends the work; this makes sure of it.
            work.EndIfStillRunning();
            work.RunEnded();
        }

        return answer.Held;
    }
}
