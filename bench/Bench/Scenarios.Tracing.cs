using System.Collections.Concurrent;
using System.Diagnostics;

namespace Bench;

/// <summary>
/// What tracing costs: the warm small-body load at concurrency 16, for raw HttpClient and both
/// executors, first with nobody listening to their spans and then with an
/// <see cref="ActivityListener"/> that records everything and does nothing with it, so that
/// what is measured is span creation and propagation, not an exporter.
/// </summary>
internal sealed partial class Scenarios
{
    public const int TracingConcurrency = 16;
    public const string TracingPath = SmallPath;
    public const string TracingWithout = "11. Tracing, warm, no ActivityListener: GET /bytes/100, concurrency 16";
    public const string TracingWith = "11. Tracing, warm, an ActivityListener on ProcessFutures and System.Net.Http (AllDataAndRecorded, no-op): GET /bytes/100, concurrency 16";

    private const int SpanCountRequests = 50;
    private static readonly string[] s_tracedSources = ["ProcessFutures", "System.Net.Http"];

    /// <summary>
    /// For each executor, built once: measured in four half windows, without a listener, with
    /// one, with one, without (A B B A), each state's two windows pooled, so that what warms or
    /// drifts over the run weighs on both states alike (measured in the order A then B, the pool
    /// came out 1.08–1.63× faster with a listener than without, in three runs out of three: the
    /// later window was the warmer one). Then a count of the spans one request makes, by a second
    /// listener over a few requests. Each ratio is to raw HttpClient in the same state.
    /// </summary>
    public async Task<List<TracingResult>> TracingAsync()
    {
        string url = _server.Url(TracingPath);
        var without = new List<WarmRun>();
        var with = new List<WarmRun>();
        var spans = new List<IReadOnlyDictionary<string, double>>();
        foreach (string executor in LoadSubject.Executors)
        {
            await using LoadSubject subject = LoadSubject.Create(executor, TracingConcurrency, PoolWorkers, url, expectedLength: 100);
            TimeSpan half = _settings.ComparisonMeasure / 2;
            WarmRun withoutFirst = await MeasureWithoutListenerAsync(subject, executor, half);
            WarmRun withFirst, withSecond;
            using (ActivityListener listener = Listener(stopped: null))
            {
                ActivitySource.AddActivityListener(listener);
                Progress($"tracing: {executor}, with an ActivityListener, two windows");
                withFirst = await MeasureWarmAsync(subject, TracingConcurrency, _settings.ComparisonWarmUp, half);
                withSecond = await MeasureWarmAsync(subject, TracingConcurrency, _settings.ComparisonWarmUp, half);
                spans.Add(await SpansPerRequestAsync(subject));
            }

            WarmRun withoutSecond = await MeasureWithoutListenerAsync(subject, executor, half);
            without.Add(WarmRun.Pooled(withoutFirst, withoutSecond));
            with.Add(WarmRun.Pooled(withFirst, withSecond));
        }

        return
        [
            .. LoadSubject.Executors.Select((executor, i) => new TracingResult(
                executor,
                without[i].Setup,
                without[i].Compared(TracingWithout, TracingPath, without[0].Load),
                with[i].Compared(TracingWith, TracingPath, with[0].Load),
                spans[i])),
        ];
    }

    private async Task<WarmRun> MeasureWithoutListenerAsync(LoadSubject subject, string executor, TimeSpan measure)
    {
        Progress($"tracing: {executor}, no listener");
        EnsureNobodyListens();
        return await MeasureWarmAsync(subject, TracingConcurrency, _settings.ComparisonWarmUp, measure);
    }

    /// <summary>A listener on <see cref="s_tracedSources"/> that samples everything; <paramref name="stopped"/>: what it does with a span (null: nothing).</summary>
    private static ActivityListener Listener(Action<Activity>? stopped) => new()
    {
        ShouldListenTo = source => s_tracedSources.Contains(source.Name),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        SampleUsingParentId = (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.AllDataAndRecorded,
        ActivityStopped = stopped,
    };

    /// <summary>"No listener" is checked, not assumed: a source of each name would have listeners if anything in this process listened.</summary>
    private static void EnsureNobodyListens()
    {
        foreach (string name in s_tracedSources)
        {
            using var probe = new ActivitySource(name);
            if (probe.HasListeners())
            {
                throw new InvalidOperationException($"Something in the bench listens to the ActivitySource '{name}'; the run without a listener would not be one.");
            }
        }
    }

    /// <summary>Spans per request in this process, by source, over <see cref="SpanCountRequests"/> requests one at a time, counted by a second listener.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> SpansPerRequestAsync(LoadSubject subject)
    {
        var counts = new ConcurrentDictionary<string, int>(s_tracedSources.Select(name => KeyValuePair.Create(name, 0)));
        using (ActivityListener counter = Listener(stopped: activity => counts.AddOrUpdate(activity.Source.Name, 1, (_, count) => count + 1)))
        {
            ActivitySource.AddActivityListener(counter);
            for (int i = 0; i < SpanCountRequests; i++)
            {
                await subject.SendAsync().WaitAsync(s_requestTimeout);
            }
        }

        return new SortedDictionary<string, double>(counts.ToDictionary(c => c.Key, c => c.Value / (double)SpanCountRequests), StringComparer.Ordinal);
    }
}
