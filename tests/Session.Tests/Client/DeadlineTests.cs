using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>
/// Every wait is bounded, on every executor: a request's timeout counts from its submission (the
/// queue included), and a streamed response whose caller dropped it without disposing gives its
/// slot back once collected.
/// </summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class DeadlineTests(ExecutorKind kind)
{
    /// <summary>A body large enough that a streamed response left unread holds its slot.</summary>
    private const long Large = 256L * 1024 * 1024;

    [Test]
    public async Task AQueuedRequest_BehindSlotsHeldByStreamedResponses_TimesOutFromItsSubmission()
    {
        await using IRequestExecutor executor = Executors.Create(kind, capacity: 1, processes: 1);
        await using var session = new FuturesSession(executor);
        var held = new List<Response>();
        try
        {
            for (int i = 0; i < Executors.Capacity(kind, 1); i++)
            {
                held.Add(await session.GetAsync(TestServer.Url($"/stream-bytes/{Large}"), new RequestOptions { Stream = true }).Within(30));
            }

            long started = Stopwatch.GetTimestamp();
            Task<Response> queued = session.GetAsync(TestServer.Url("/get"), new RequestOptions { Timeout = TimeSpan.FromSeconds(1) });
            TaskCanceledException timedOut = Assert.ThrowsAsync<TaskCanceledException>(() => queued.Within(30))!;
            TimeSpan waited = Stopwatch.GetElapsedTime(started);

            Assert.That(timedOut.InnerException, Is.InstanceOf<TimeoutException>(), "a timeout, as HttpClient's");
            Assert.That(timedOut.Message, Does.Contain("before it reached a worker").And.Contain("1 seconds"), timedOut.Message);
            Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)).And.LessThan(TimeSpan.FromSeconds(10)), "at its deadline, counted from submission");
        }
        finally
        {
            foreach (Response response in held)
            {
                await response.DisposeAsync();
            }
        }

        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within(30)).StatusCode, Is.EqualTo(200), "the slots are free again once the responses are disposed");
    }

    [Test]
    public async Task AStreamedResponseDroppedWithoutDispose_GivesItsSlotBackOnceCollected_AndIsLogged()
    {
        var logs = new CapturingLogger();
        await using IRequestExecutor executor = Executors.Create(kind, capacity: 1, processes: 1, logs: logs);
        await using var session = new FuturesSession(executor);
        string url = TestServer.Url($"/stream-bytes/{Large}?dropped=1");
        for (int i = 0; i < Executors.Capacity(kind, 1); i++)
        {
            await OpenAndDropAsync(session, url);
        }

        Task<Response> next = session.GetAsync(TestServer.Url("/get"));
        await Waits.UntilAsync(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return next.IsCompleted;
            },
            "the request behind the dropped responses to run",
            seconds: 30);

        Assert.That((await next).StatusCode, Is.EqualTo(200));
        Assert.That(logs.Entries.Select(e => e.Message), Has.Some.Contains("collected without being disposed").And.Contains("/stream-bytes/"), "a warning names the URL");
    }

    /// <summary>Gets a streamed response and drops it, unread and undisposed (in a method of its own, so nothing here keeps it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task OpenAndDropAsync(FuturesSession session, string url)
    {
        Response response = await session.GetAsync(url, new RequestOptions { Stream = true }).Within(30);
        Assert.That(response.StatusCode, Is.EqualTo(200));
    }
}
