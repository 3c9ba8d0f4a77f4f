using System.Diagnostics;
using HttpBin;
using ProcessFutures;
using Spectre.Console;

namespace Downloader;

/// <summary>
/// Downloads a list into a folder through a session: every request is made at once, the
/// executor runs as many as it has workers, and each file is reported as it ends.
/// </summary>
internal sealed class DownloadRun(FuturesSession session, IReadOnlyList<DownloadItem> items, string folder)
{
    /// <summary>
    /// Each request's timeout, from sending to the last byte and the callback's hash: far above
    /// what a large file needs here, still an end for a server that stops sending.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(30);

    public TransferTotals Totals { get; } = new(items.Count);

    /// <summary>Downloads every item; never throws for a failed download (its outcome says why).</summary>
    /// <param name="barFor">The progress bar of item i, or null when there is no live display.</param>
    /// <param name="finished">Told of each outcome as it happens, in the order downloads end.</param>
    /// <param name="cancellationToken">Cancels every download, queued or running.</param>
    /// <returns>The outcomes, in the list's order.</returns>
    public async Task<IReadOnlyList<DownloadOutcome>> RunAsync(Func<int, ProgressTask?> barFor, Action<DownloadOutcome> finished, CancellationToken cancellationToken)
    {
        // The expected hashes are the app's knowledge (what it asked the server for): computed here,
        // from the seed, while the downloads run. The files' own hashes are computed by the workers.
        Task<string>?[] expected = [.. items.Select(item => item.Deterministic is { } body
            ? Task.Run(() => DeterministicBytes.Sha256Hex(body.Length, body.Seed), cancellationToken)
            : null)];
        FileProgress[] progress = [.. items.Select((item, i) => new FileProgress(Totals, i, item.FileName, barFor(i)))];
        Task<DownloadOutcome>[] running = [.. items.Select((item, i) => DownloadAsync(i, item, progress[i], expected[i], cancellationToken))];

        var outcomes = new DownloadOutcome[items.Count];
        await foreach (Task<DownloadOutcome> done in Task.WhenEach(running))
        {
            DownloadOutcome outcome = await done;
            progress[outcome.Index].Finish(outcome);
            Totals.Finished(outcome.Succeeded);
            outcomes[outcome.Index] = outcome;
            finished(outcome);
        }

        return outcomes;
    }

    private async Task<DownloadOutcome> DownloadAsync(int index, DownloadItem item, FileProgress progress, Task<string>? expected, CancellationToken cancellationToken)
    {
        string path = Path.Combine(folder, item.FileName);
        long requested = Stopwatch.GetTimestamp();
        try
        {
            var options = new RequestOptions { DownloadTo = path, Progress = progress, Timeout = RequestTimeout };
            SavedFile saved = await session.GetAsync(item.Url.AbsoluteUri, Callbacks.HashSavedFileAsync, options, cancellationToken);

            // The saved length is the final count, whatever the reports said: through a process pool
            // the final report is sometimes dropped (the client throttles the worker's last report
            // and does not send one of its own), so a fast download may have reported almost nothing.
            Totals.Received(index, saved.Length);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(progress.FirstBytesAt ?? requested);
            string? wanted = expected is null ? null : await expected;
            if (wanted is not null && wanted != saved.Sha256)
            {
                // Not the bytes asked for: it does not stay under the name.
                File.Delete(path);
                return new DownloadOutcome(index, item, path, elapsed)
                {
                    Failure = $"SHA-256 mismatch: the file's is {saved.Sha256}, the server's bytes' is {wanted} ({saved.Length} bytes saved); the file was deleted.",
                };
            }

            return new DownloadOutcome(index, item, path, elapsed) { Saved = saved, Verified = wanted is not null };
        }
        catch (Exception exception)
        {
            return new DownloadOutcome(index, item, path, Stopwatch.GetElapsedTime(progress.FirstBytesAt ?? requested))
            {
                Failure = cancellationToken.IsCancellationRequested && exception is OperationCanceledException ? "cancelled" : OneLine(exception),
            };
        }
    }

    /// <summary>The exception's type and message on one line, with the innermost cause's when it says more.</summary>
    private static string OneLine(Exception exception)
    {
        string type = exception is CallbackException callback ? $"{callback.OriginalTypeName} (in a callback)" : exception.GetType().Name;
        string text = $"{type}: {Flatten(exception.Message)}";
        Exception root = exception.GetBaseException();
        return root == exception ? text : $"{text} ({root.GetType().Name}: {Flatten(root.Message)})";
    }

    private static string Flatten(string message) => message.ReplaceLineEndings(" ").Trim();
}
