using System.Diagnostics;
using ProcessFutures;
using Spectre.Console;

namespace Downloader;

/// <summary>
/// Receives one file's <see cref="TransferProgress"/> reports (about ten a second, then a final
/// one) and moves its bar and the run's totals. The library calls <see cref="Report"/> on its own
/// threads, under its own lock, so it only sets numbers and returns; it never throws.
/// </summary>
internal sealed class FileProgress(TransferTotals totals, int index, string name, ProgressTask? bar) : IProgress<TransferProgress>
{
    private readonly Lock _lock = new();
    private long _firstBytesAt;
    private bool _finished;

    /// <summary>When the first report came (the transfer began), as a <see cref="Stopwatch"/> timestamp; null before.</summary>
    public long? FirstBytesAt
    {
        get
        {
            lock (_lock)
            {
                return _firstBytesAt == 0 ? null : _firstBytesAt;
            }
        }
    }

    public void Report(TransferProgress value)
    {
        totals.Received(index, value.BytesReceived);
        lock (_lock)
        {
            if (_firstBytesAt == 0)
            {
                _firstBytesAt = Stopwatch.GetTimestamp();
                if (!_finished)
                {
                    bar?.StartTask();
                }
            }

            if (bar is null || _finished)
            {
                return;
            }

            // A body without Content-Length (chunked) has no total: the bar pulses instead. The bar
            // caps its value at its maximum, so that one stays just above what has arrived.
            bar.IsIndeterminate = value.TotalBytesToReceive is null;
            bar.MaxValue = value.TotalBytesToReceive ?? value.BytesReceived + 1;
            bar.Value = value.BytesReceived;
        }
    }

    /// <summary>Shows the file's end on its bar: full and green, or red and marked failed. Later reports are ignored.</summary>
    public void Finish(DownloadOutcome outcome)
    {
        lock (_lock)
        {
            _finished = true;
            if (bar is null)
            {
                return;
            }

            if (outcome.Saved is { } saved)
            {
                bar.IsIndeterminate = false;
                bar.MaxValue = saved.Length;
                bar.Value = saved.Length;
                bar.Description = $"[green]{Markup.Escape(name)}[/]";
            }
            else
            {
                bar.Description = $"[red]{Markup.Escape(name)} (failed)[/]";
            }

            bar.StopTask();
        }
    }
}
