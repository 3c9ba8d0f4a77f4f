using System.Diagnostics;
using Downloader;
using HttpBin;
using ProcessFutures;
using Spectre.Console;

// The downloader: a list of URLs (the local test server's default list, or yours) saved into a
// folder through a pool of worker processes, with a live display, a line per file and a summary.
CommandLine? command = CommandLine.Parse(args, out string problems);
if (command is null)
{
    await Console.Error.WriteLineAsync($"{problems}{Environment.NewLine}Run with --help for the options.");
    return 2;
}

if (command.Help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

// Not a terminal (a log, CI, a pipe): no escape codes and no live display, lines kept whole.
bool live = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities is { Ansi: true, Interactive: true };
if (Console.IsOutputRedirected)
{
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
    AnsiConsole.Profile.Width = 1000;
}

// Ctrl+C once cancels the downloads (their partial files are removed); twice ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
};

// Without --out, the files go to a new temporary folder that the run removes at its end (unless
// --keep): a run of the default list writes about 420 MiB. Disposed last: removed even when the run
// fails with an exception.
using TemporaryFolder? temporary = command.OutputDirectory is null ? new TemporaryFolder(command.Keep) : null;
string folder = temporary?.FullName ?? Directory.CreateDirectory(command.OutputDirectory!).FullName;

// Made first, the pool starts its workers in the background while the server starts. Disposed
// before the folder is read or removed: that waits for what the workers still run (a cancelled
// download's cleanup included).
IReadOnlyList<DownloadOutcome> outcomes;
TransferTotals.Totals totals;
var pool = new ProcessPoolExecutor(command.Workers);
await using (pool)
{
    await using HttpBinServer? server = command.UsesDefaultList ? await HttpBinServer.StartAsync(interrupt.Token) : null;
    IReadOnlyList<DownloadItem> items = server is null ? DownloadLists.FromUrls(command.Urls) : DownloadLists.Default(server, command.Quick);
    string kept = temporary switch
    {
        null => string.Empty,
        { Keep: true } => " (a temporary folder, kept: --keep)",
        _ => " (a temporary folder, removed at the end: give --keep, or --out DIR, to keep the files)",
    };
    AnsiConsole.MarkupLine($"Downloading {items.Count} files into [bold]{Markup.Escape(folder)}[/]{kept} through {command.Workers} worker processes (this process is {Environment.ProcessId}).");
    if (server is not null)
    {
        AnsiConsole.MarkupLine($"From the local test server at {Markup.Escape(server.BaseAddress.ToString())}; {items.Count(i => i.FailsOnPurpose is not null)} of them fail on purpose.");
    }

    await using var session = new FuturesSession(pool);
    var run = new DownloadRun(session, items, folder);
    void Print(DownloadOutcome outcome) => AnsiConsole.MarkupLine(Report.FileLine(outcome));
    if (live)
    {
        // Bars while it runs (each turns green, or red when its file fails), then a line per file:
        // lines written above a live display that wrap would leave stale text behind.
        outcomes = await AnsiConsole.Progress()
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new KnownSizeColumn(new PercentageColumn()),
                new TransferSpeedColumn(),
                new KnownSizeColumn(new RemainingTimeColumn()))
            .UseRenderHook((bars, _) => new Rows(new Markup(Report.Header(run.Totals.Snapshot())), bars))
            .StartAsync(context =>
            {
                ProgressTask[] bars = [.. items.Select(item => context.AddTask(Markup.Escape(item.FileName), autoStart: false, maxValue: item.Deterministic?.Length ?? 1))];
                return run.RunAsync(i => bars[i], _ => { }, interrupt.Token);
            });

        foreach (DownloadOutcome outcome in outcomes)
        {
            Print(outcome);
        }
    }
    else
    {
        // No terminal: no display to redraw, so each file's line as it ends, and nothing else.
        outcomes = await run.RunAsync(_ => null, Print, interrupt.Token);
    }

    totals = run.Totals.Snapshot();
}

// The pool has stopped: nothing writes to the folder any more, so what is there now stays.
outcomes = OutputFolder.RemoveFailedFiles(outcomes);
if (outcomes.Where(o => o.LeftAFile).Select(o => o.Item.FileName).ToArray() is { Length: > 0 } removed)
{
    AnsiConsole.MarkupLine($"Removed what failed downloads left under their names (not verified): {Markup.Escape(string.Join(", ", removed))}.");
}

// The library promises that a failed or cancelled download leaves no temporary file: check it.
string[] leftovers = OutputFolder.Leftovers(folder);
AnsiConsole.MarkupLine(leftovers.Length == 0
    ? "No temporary .partial file was left in the folder."
    : $"[red]Temporary files left in the folder: {Markup.Escape(string.Join(", ", leftovers))}[/]");

using (Process self = Process.GetCurrentProcess())
{
    AnsiConsole.Write(Report.Summary(totals, outcomes, command.Workers, self.PeakWorkingSet64));
}

AnsiConsole.WriteLine(Report.SummaryLine(totals, outcomes));
if (temporary is { Keep: false })
{
    (int files, long bytes, string? problem) = temporary.Remove();
    AnsiConsole.MarkupLine(problem is null
        ? $"Removed the temporary folder {Markup.Escape(folder)} ({files} files, {Report.Size(bytes)}); give --keep, or --out DIR, to keep the files."
        : $"[red]Could not remove the temporary folder {Markup.Escape(folder)}: {Markup.Escape(problem)}[/]");
}
else if (temporary is not null)
{
    AnsiConsole.MarkupLine($"Kept the temporary folder {Markup.Escape(folder)} (--keep): remove it when done.");
}

(int exitCode, string why) = Report.Verdict(outcomes, leftovers, interrupt.IsCancellationRequested);
AnsiConsole.WriteLine(why);
return exitCode;
