using System.Globalization;
using Spectre.Console;

namespace Downloader;

/// <summary>What the app prints: a line per file as it ends, the live header, the summary table and the verdict.</summary>
internal static class Report
{
    private const double MiB = 1024 * 1024;

    /// <summary>A file's end on one line (markup): its size, time, speed and hash, or why it failed.</summary>
    public static string FileLine(DownloadOutcome outcome)
    {
        string name = Markup.Escape(outcome.Item.FileName);
        if (outcome.Saved is { } saved)
        {
            string hash = outcome.Verified ? "[green]sha256 ok[/]" : $"sha256 {saved.Sha256}";
            // Under a tenth of a second, a speed would say more about the clock than about the transfer.
            string speed = outcome.Elapsed >= TimeSpan.FromSeconds(0.1) ? $" ({Speed(saved.Length, outcome.Elapsed)})" : string.Empty;
            return $"[green]done[/]   {name}: {Size(saved.Length)} in {Seconds(outcome.Elapsed)}{speed}, {hash}, hashed in worker {saved.HashedInProcess}";
        }

        string why = outcome.Item.FailsOnPurpose is { } reason ? $" [grey](on purpose: {Markup.Escape(reason)})[/]" : string.Empty;
        return $"[red]failed[/] {name}: {Markup.Escape(outcome.Failure!)}{why}";
    }

    /// <summary>The live display's header: the whole run's progress and throughput.</summary>
    public static string Header(TransferTotals.Totals totals) => totals.Transferring == TimeSpan.Zero
        ? $"[bold]Overall[/]: waiting for the worker processes to start ({Seconds(totals.Elapsed)})"
        : $"[bold]Overall[/]: {totals.Succeeded + totals.Failed} of {totals.Files} files ended ({totals.Failed} failed), "
            + $"{Size(totals.Bytes)} received in {Seconds(totals.Transferring)}, [bold]{Speed(totals.Bytes, totals.Transferring)}[/] average";

    /// <summary>
    /// The summary table, one row a measure so it fits any width: files and failures, bytes, the
    /// time from the first request (the workers' start included) and the time spent transferring,
    /// over which throughput is measured, the workers, and this process's peak memory.
    /// </summary>
    public static Table Summary(TransferTotals.Totals totals, IReadOnlyList<DownloadOutcome> outcomes, int workers, long peakWorkingSet)
    {
        int onPurpose = outcomes.Count(o => !o.Succeeded && o.Item.FailsOnPurpose is not null);
        var table = new Table().Border(TableBorder.Rounded).Title("Summary").HideHeaders();
        table.AddColumns("Measure", "Value");
        table.AddRow("Files", $"{totals.Files}: {totals.Succeeded} saved, {totals.Failed} failed ({onPurpose} on purpose)");
        table.AddRow("Bytes", $"{Size(outcomes.Sum(o => o.Saved?.Length ?? 0))} saved, {Size(totals.Bytes)} received");
        table.AddRow("Elapsed", $"{Seconds(totals.Elapsed)} from the first request, {Seconds(totals.Transferring)} transferring");
        table.AddRow("Throughput", $"{Speed(totals.Bytes, totals.Transferring)} while transferring");
        table.AddRow("Workers", $"{workers} processes");
        table.AddRow("App peak RSS", $"{Size(peakWorkingSet)} (this process, not the workers)");
        return table;
    }

    /// <summary>The summary on one plain line, for logs and tests.</summary>
    public static string SummaryLine(TransferTotals.Totals totals, IReadOnlyList<DownloadOutcome> outcomes)
    {
        int onPurpose = outcomes.Count(o => !o.Succeeded && o.Item.FailsOnPurpose is not null);
        return $"Summary: {totals.Succeeded} of {totals.Files} files saved, {totals.Failed} failed ({onPurpose} on purpose); "
            + $"{Size(totals.Bytes)} received in {Seconds(totals.Transferring)}, {Speed(totals.Bytes, totals.Transferring)}; {Seconds(totals.Elapsed)} from the first request.";
    }

    /// <summary>The exit code and the sentence that explains it.</summary>
    public static (int ExitCode, string Why) Verdict(IReadOnlyList<DownloadOutcome> outcomes, IReadOnlyList<string> leftovers, bool interrupted)
    {
        if (interrupted)
        {
            return (130, "Exit code 130: interrupted; the downloads still running were cancelled.");
        }

        var problems = new List<string>();
        string[] failed = [.. outcomes.Where(o => !o.Succeeded && o.Item.FailsOnPurpose is null).Select(o => o.Item.FileName)];
        if (failed.Length > 0)
        {
            problems.Add($"{failed.Length} failed: {string.Join(", ", failed)}");
        }

        string[] notFailed = [.. outcomes.Where(o => o.Succeeded && o.Item.FailsOnPurpose is not null).Select(o => o.Item.FileName)];
        if (notFailed.Length > 0)
        {
            problems.Add($"{notFailed.Length} meant to fail did not: {string.Join(", ", notFailed)}");
        }

        string[] left = [.. outcomes.Where(o => o.LeftAFile).Select(o => o.Item.FileName)];
        if (left.Length > 0)
        {
            problems.Add($"{left.Length} failed but left a file under its name (removed): {string.Join(", ", left)}");
        }

        if (leftovers.Count > 0)
        {
            problems.Add($"temporary files were left: {string.Join(", ", leftovers)}");
        }

        if (problems.Count > 0)
        {
            return (1, $"Exit code 1: {string.Join("; ", problems)}.");
        }

        int onPurpose = outcomes.Count(o => o.Item.FailsOnPurpose is not null);
        return onPurpose > 0
            ? (0, $"Exit code 0: every other file was saved and verified; only the {onPurpose} intended failures failed, and left no file.")
            : (0, "Exit code 0: every file was saved.");
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Size(long bytes) => bytes < 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / MiB:0.0} MiB");

    private static string Seconds(TimeSpan elapsed) => elapsed < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s");

    /// <summary>MB/s as the README counts it: 10^6 bytes a second.</summary>
    private static string Speed(long bytes, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6 / elapsed.TotalSeconds:0.0} MB/s") : "- MB/s";
}
