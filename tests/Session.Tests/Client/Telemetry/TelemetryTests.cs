using System.Collections.Concurrent;
using System.Diagnostics;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.Telemetry;

/// <summary>Traces and metrics, the same for both executors: one span per request, the trace carried to the server, and measurements that match the requests made.</summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class TelemetryTests(ExecutorKind kind)
{
    [Test]
    public async Task EachRequest_HasOneSpan_WithTheHttpAttributes_AndTheServerSeesItsTrace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ProcessFutures",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using IRequestExecutor executor = Create(metrics: null);
        await using var session = new FuturesSession(executor);
        using var parent = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        Response echo = await session.GetAsync(TestServer.Url("/headers?secret=hunter2")).Within();
        Response notFound = await session.GetAsync(TestServer.Url("/status/404")).Within();
        parent.Stop();

        Activity[] mine = [.. spans.Where(s => s.TraceId == parent.TraceId && s.Source.Name == "ProcessFutures" && s.Kind == ActivityKind.Client)];
        Assert.That(mine, Has.Length.EqualTo(2), "one span per request, in the caller's trace");
        Activity first = mine.Single(s => s.GetTagItem("url.full") is string url && url.Contains("/headers", StringComparison.Ordinal));
        Activity second = mine.Single(s => s != first);
        Assert.Multiple(() =>
        {
            Assert.That(first.ParentSpanId, Is.EqualTo(parent.SpanId));
            Assert.That(first.GetTagItem("http.request.method"), Is.EqualTo("GET"));
            Assert.That(first.GetTagItem("url.full"), Is.EqualTo(TestServer.Url("/headers") + "?*"), "query values redacted, as System.Net.Http does");
            Assert.That(first.GetTagItem("server.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(first.GetTagItem("server.port"), Is.EqualTo(new Uri(TestServer.Url("/")).Port));
            Assert.That(first.GetTagItem("http.response.status_code"), Is.EqualTo(200));
            Assert.That(first.GetTagItem("processfutures.executor"), Is.EqualTo(kind.TelemetryName()));
            Assert.That(second.GetTagItem("http.response.status_code"), Is.EqualTo(404));
            Assert.That(second.GetTagItem("error.type"), Is.EqualTo("404"));
            Assert.That(second.Status, Is.EqualTo(ActivityStatusCode.Error));
        });
        if (kind.RunsElsewhere())
        {
            Assert.That(first.GetTagItem("processfutures.worker.pid"), Is.EqualTo(echo.ProcessId));
        }

        string? traceparent = echo.Json<Echo>()!.Header("traceparent");
        Assert.That(traceparent, Is.Not.Null, "the server received a traceparent");
        Assert.That(ActivityTraceId.CreateFromString(traceparent!.Split('-')[1]), Is.EqualTo(first.TraceId), "from the caller's trace, made where the request ran");
    }

    [Test]
    public async Task Metrics_CountAndTimeEachRequest_AndTheQueueRisesWhileRequestsWait()
    {
        using var metrics = new MetricsRecorder();
        await using IRequestExecutor executor = Create(metrics.Factory, capacity: 1);
        await using var session = new FuturesSession(executor);
        await session.GetAsync(TestServer.Url("/get")).Within();

        Task<Response> slow = session.GetAsync(TestServer.Url("/delay/1"));
        Task<Response>[] queued = [.. Enumerable.Range(0, 3).Select(_ => session.GetAsync(TestServer.Url("/status/404")))];
        await Task.WhenAll([slow, .. queued]).Within();

        (double Value, Dictionary<string, object?> Tags)[] durations = [.. metrics.Of("processfutures.request.duration")];
        Assert.That(durations, Has.Length.EqualTo(5), "one per request");
        Assert.That(durations.Count(d => Equals(d.Tags.GetValueOrDefault("http.response.status_code"), 404)), Is.EqualTo(3));
        // The server's one-second Task.Delay runs on a timer of millisecond ticks, in another
        // process: it can end a tick or two before a Stopwatch second here (0.9986 s was seen).
        Assert.That(durations.Where(d => Equals(d.Tags.GetValueOrDefault("http.response.status_code"), 200)).Max(d => d.Value), Is.GreaterThanOrEqualTo(0.95), "the delayed request took a second");
        Assert.That(durations.Select(d => d.Tags["processfutures.executor"]).Distinct(), Is.EqualTo(new[] { kind.TelemetryName() }));
        Assert.That(metrics.RunningSum("processfutures.queue.length").Max(), Is.GreaterThanOrEqualTo(2), "requests waited behind the slow one");
        Assert.That(metrics.RunningSum("processfutures.queue.length")[^1], Is.Zero);
        Assert.That(metrics.RunningSum("processfutures.active_requests")[^1], Is.Zero);
        Assert.That(metrics.Of("processfutures.request.time_in_queue").Count(), Is.EqualTo(5));
    }

    private IRequestExecutor Create(System.Diagnostics.Metrics.IMeterFactory? metrics, int capacity = 2) => kind switch
    {
        ExecutorKind.ThreadPool => new ThreadPoolExecutor(capacity, meterFactory: metrics),
        ExecutorKind.Remote => SharedRemoteWorkers.Executor(concurrencyPerWorker: Math.Max(1, capacity / SharedRemoteWorkers.Count), metrics),
        _ => new ProcessPoolExecutor(1, new ProcessPoolOptions
        {
            ConcurrencyPerWorker = capacity,
            MeterFactory = metrics,
            LoggerFactory = TestLogging.Factory,
            Transport = kind == ExecutorKind.ProcessPoolGrpc ? WorkerTransport.Grpc : WorkerTransport.Socket,
        }),
    };
}
