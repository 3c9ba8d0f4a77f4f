using System.Diagnostics;

namespace Downloader;

/// <summary>The whole run's counts, fed by every file's progress reports (from the library's threads) and read by the display.</summary>
[DebuggerDisplay("{Snapshot()}")]
internal sealed class TransferTotals(int files)
{
    private readonly Lock _lock = new();
    private readonly long[] _received = new long[files];
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _firstReport;
    private long _ended;
    private int _succeeded;
    private int _failed;

    /// <summary>A file's bytes received so far (reports only grow, but a late one must not move it back).</summary>
    public void Received(int index, long bytes)
    {
        lock (_lock)
        {
            _received[index] = Math.Max(_received[index], bytes);
            if (_firstReport == 0)
            {
                _firstReport = Stopwatch.GetTimestamp();
            }
        }
    }

    public void Finished(bool succeeded)
    {
        lock (_lock)
        {
            if (succeeded)
            {
                _succeeded++;
            }
            else
            {
                _failed++;
            }

            if (_succeeded + _failed == _received.Length)
            {
                _ended = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>Bytes received by all files, the times since the first request and since the first transfer began (until the last file ended), and how many files ended which way.</summary>
    public Totals Snapshot()
    {
        lock (_lock)
        {
            long end = _ended == 0 ? Stopwatch.GetTimestamp() : _ended;
            TimeSpan transferring = _firstReport == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_firstReport, end);
            return new Totals(_received.Sum(), Stopwatch.GetElapsedTime(_started, end), transferring, _received.Length, _succeeded, _failed);
        }
    }

    /// <summary>A snapshot of <see cref="TransferTotals"/>.</summary>
    /// <param name="Bytes">Body bytes received, by all files.</param>
    /// <param name="Elapsed">Since the first request: includes the workers' start.</param>
    /// <param name="Transferring">Since the first transfer began: what throughput is measured over.</param>
    /// <param name="Files">Files in the list.</param>
    /// <param name="Succeeded">Files saved (and verified, when they could be).</param>
    /// <param name="Failed">Files that failed.</param>
    public readonly record struct Totals(long Bytes, TimeSpan Elapsed, TimeSpan Transferring, int Files, int Succeeded, int Failed);
}
