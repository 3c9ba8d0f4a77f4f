using System.Globalization;

namespace Bench;

/// <summary>
/// Samples resident memory every 10 ms on a dedicated thread (not the thread pool, which the load
/// keeps busy): this process, and each worker pid the pool reports. A worker keeps being sampled
/// after it leaves the list (a recycled worker draining) until it exits.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(10);

    private readonly Func<IReadOnlyList<int>>? _workerIds;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly Dictionary<int, long> _workerPeaks = [];
    private readonly HashSet<int> _exited = [];
    private long _clientPeak;

    /// <summary>Starts sampling this process and, if given, the workers <paramref name="workerIds"/> returns.</summary>
    public RssSampler(Func<IReadOnlyList<int>>? workerIds = null)
    {
        _workerIds = workerIds;
        _thread = new Thread(Run) { IsBackground = true, Name = "RSS sampler" };
        _thread.Start();
    }

    /// <summary>This process's resident memory after a full, compacting GC that also returns free memory to the OS.</summary>
    public static long ClientIdleBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return ReadRssBytes("self") ?? 0;
    }

    /// <summary>Resident memory of /proc/<paramref name="pid"/>: statm field 2 (pages) times the page size; null once the process is gone.</summary>
    public static long? ReadRssBytes(string pid)
    {
        try
        {
            string[] fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stops sampling (after one last sample) and returns the peaks.</summary>
    public RssPeaks Stop(long clientIdleBytes)
    {
        _stop.Set();
        _thread.Join();
        return new RssPeaks(clientIdleBytes, _clientPeak, new SortedDictionary<int, long>(_workerPeaks));
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        do
        {
            Sample();
        }
        while (!_stop.Wait(s_interval));
        Sample();
    }

    private void Sample()
    {
        _clientPeak = Math.Max(_clientPeak, ReadRssBytes("self") ?? 0);
        if (_workerIds is null)
        {
            return;
        }

        foreach (int pid in _workerIds())
        {
            _workerPeaks.TryAdd(pid, 0);
        }

        foreach (int pid in _workerPeaks.Keys.ToArray())
        {
            if (_exited.Contains(pid))
            {
                continue;
            }

            if (ReadRssBytes(pid.ToString(CultureInfo.InvariantCulture)) is { } rss)
            {
                _workerPeaks[pid] = Math.Max(_workerPeaks[pid], rss);
            }
            else
            {
                _exited.Add(pid);
            }
        }
    }
}
