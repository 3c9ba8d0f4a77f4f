using System.Collections.Concurrent;

namespace Bench;

/// <summary>Failed requests counted by exception type, keeping the first message of each type; safe from several loops at once.</summary>
internal sealed class ErrorTally
{
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentDictionary<string, string> _firstMessages = new();

    public long Total => _counts.Values.Sum();

    public void Add(Exception exception)
    {
        string type = exception.GetType().Name;
        _counts.AddOrUpdate(type, 1, (_, count) => count + 1);
        _firstMessages.TryAdd(type, exception.Message);
    }

    /// <summary>Type name → count, for the report.</summary>
    public SortedDictionary<string, long> Counts() => new(_counts, StringComparer.Ordinal);

    /// <summary>Type name → its first message, for the report.</summary>
    public SortedDictionary<string, string> FirstMessages() => new(_firstMessages, StringComparer.Ordinal);
}
