using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Bench;

/// <summary>
/// Samples resident memory (VmRSS of <c>/proc/&lt;pid&gt;/status</c>) on a dedicated thread (not
/// the thread pool, which the load keeps busy): this process, and each worker pid the pool
/// reports. A worker keeps being sampled after it leaves the list (a recycled worker draining)
/// until it exits. Optionally keeps every sample, for a chart.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    /// <summary>The default interval: short enough to catch a 10 MiB body's buffers.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    private const int StatusBufferSize = 8192;

    [ThreadStatic]
    private static byte[]? s_statusBuffer;

    private readonly Func<IReadOnlyList<int>>? _workerIds;
    private readonly TimeSpan _interval;
    private readonly List<RssSample>? _series;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private readonly Dictionary<int, long> _workerPeaks = [];
    private readonly Dictionary<int, long> _workerFirst = [];
    private readonly HashSet<int> _exited = [];
    private long _clientPeak;

    /// <summary>Starts sampling this process and, if given, the workers <paramref name="workerIds"/> returns, every <paramref name="interval"/> (default <see cref="DefaultInterval"/>).</summary>
    public RssSampler(Func<IReadOnlyList<int>>? workerIds = null, TimeSpan? interval = null, bool keepSeries = false)
    {
        _workerIds = workerIds;
        _interval = interval ?? DefaultInterval;
        _series = keepSeries ? [] : null;
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

    /// <summary>VmRSS of /proc/<paramref name="pid"/>/status in bytes; null once the process is gone.</summary>
    /// <remarks>
    /// Reads into a buffer of this thread and parses bytes, allocating only the file handle: the
    /// sampler runs in the client, and the strings of a line-by-line read (some 50 lines, 20 times
    /// a second per process) would show up as the client's own growth.
    /// </remarks>
    public static long? ReadRssBytes(string pid)
    {
        byte[] buffer = s_statusBuffer ??= new byte[StatusBufferSize];
        int length;
        try
        {
            using SafeFileHandle handle = File.OpenHandle($"/proc/{pid}/status");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "VmRSS:\t  123456 kB"
        ReadOnlySpan<byte> status = buffer.AsSpan(0, length);
        int at = status.IndexOf("VmRSS:"u8);
        if (at < 0)
        {
            return null;
        }

        long kilobytes = 0;
        foreach (byte b in status[(at + 6)..])
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                kilobytes = (kilobytes * 10) + (b - '0');
            }
            else if (b == (byte)'k' || b == (byte)'\n')
            {
                break;
            }
        }

        return kilobytes * 1024;
    }

    /// <summary>Stops sampling (after one last sample) and returns the peaks and, if kept, the samples.</summary>
    public RssPeaks Stop(long clientIdleBytes)
    {
        _stop.Set();
        _thread.Join();
        return new RssPeaks(clientIdleBytes, _clientPeak, new SortedDictionary<int, long>(_workerPeaks), new SortedDictionary<int, long>(_workerFirst), _series);
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
        while (!_stop.Wait(_interval));
        Sample();
    }

    private void Sample()
    {
        long client = ReadRssBytes("self") ?? 0;
        _clientPeak = Math.Max(_clientPeak, client);
        Dictionary<int, long>? workers = _series is null ? null : [];
        if (_workerIds is not null)
        {
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
                    _workerFirst.TryAdd(pid, rss);
                    workers?.Add(pid, rss);
                }
                else
                {
                    _exited.Add(pid);
                }
            }
        }

        _series?.Add(new RssSample(Stopwatch.GetElapsedTime(_start).TotalSeconds, client, workers!));
    }
}
