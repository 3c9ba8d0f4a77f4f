using Microsoft.Extensions.Logging;

namespace ProcessFutures.Internal;

/// <summary>
/// What a worker prints besides its ready line: each line goes to the log, and enough is kept to
/// explain a worker that failed to start or died: the first lines (where a host error or an
/// unhandled exception names its cause), the first line that looks like an error, and the last
/// lines. At most <c>FirstKept + 1 + LastKept</c> lines are held, however much it prints.
/// </summary>
internal sealed class WorkerOutput(ILogger logger)
{
    private const int FirstKept = 5;
    private const int LastKept = 20;
    private const int MaxLineLength = 2000;

    private readonly List<string> _first = [];
    private readonly Queue<string> _last = new();
    private readonly Lock _lock = new();
    private string? _firstError;
    private int _dropped;

    public int ProcessId { get; set; }

    public void Add(string line)
    {
        ProcessPoolLog.WorkerOutput(logger, ProcessId, line);
        if (line.Length > MaxLineLength)
        {
            line = string.Concat(line.AsSpan(0, MaxLineLength), "…");
        }

        lock (_lock)
        {
            if (_first.Count < FirstKept)
            {
                _first.Add(line);
                return;
            }

            if (_firstError is null && LooksLikeAnError(line))
            {
                _firstError = line;
            }

            if (_last.Count == LastKept)
            {
                _last.Dequeue();
                _dropped++;
            }

            _last.Enqueue(line);
        }
    }

    /// <summary>What it printed, abridged: the first lines, the first error line, an ellipsis for what was left out, the last lines.</summary>
    public string Explain()
    {
        lock (_lock)
        {
            if (_first.Count == 0)
            {
                return "(nothing)";
            }

            var lines = new List<string>(_first);
            if (_firstError is not null && !_last.Contains(_firstError))
            {
                lines.Add(_firstError);
            }

            if (_dropped > 0)
            {
                lines.Add($"… ({_dropped} more lines) …");
            }

            lines.AddRange(_last);
            return string.Join(Environment.NewLine, lines);
        }
    }

    private static bool LooksLikeAnError(string line) =>
        line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("exception", StringComparison.OrdinalIgnoreCase) || line.Contains("fail", StringComparison.OrdinalIgnoreCase);
}
