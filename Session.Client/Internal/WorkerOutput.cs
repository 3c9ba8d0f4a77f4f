using Microsoft.Extensions.Logging;

namespace Session.Client.Internal;

/// <summary>
/// What a worker prints besides its ready line: each line goes to the log, and the last few are
/// kept to explain a worker that failed to start or died.
/// </summary>
internal sealed class WorkerOutput(ILogger logger)
{
    private const int Kept = 20;

    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public int ProcessId { get; set; }

    public void Add(string line)
    {
        ProcessPoolLog.WorkerOutput(logger, ProcessId, line);
        lock (_lock)
        {
            if (_lines.Count == Kept)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public string Last()
    {
        lock (_lock)
        {
            return _lines.Count == 0 ? "(nothing)" : string.Join(Environment.NewLine, _lines);
        }
    }
}
