using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>What only the in-process executor and the session's own construction rules show.</summary>
public sealed class ThreadPoolExecutorTests
{
    [Test]
    public async Task Session_WithoutExecutor_OwnsAThreadPoolOf8()
    {
        await using var session = new FuturesSession();

        Assert.That(session.Executor, Is.InstanceOf<ThreadPoolExecutor>());
        Assert.That(session.Executor.MaxWorkers, Is.EqualTo(FuturesSession.DefaultMaxWorkers).And.EqualTo(8));
    }

    [Test]
    public async Task Session_MaxWorkersShortcut_SizesItsOwnPool()
    {
        await using var session = new FuturesSession(maxWorkers: 10);

        Assert.That(session.Executor.MaxWorkers, Is.EqualTo(10));
    }

    [Test]
    public async Task Session_WithExecutor_IgnoresMaxWorkers_AndUsesItAsIs()
    {
        await using var executor = new ThreadPoolExecutor(maxWorkers: 5);
        await using var session = new FuturesSession(executor, maxWorkers: 20);

        Assert.That(session.Executor, Is.SameAs(executor));
        Assert.That(session.Executor.MaxWorkers, Is.EqualTo(5));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void MaxWorkers_BelowOne_IsRefused(int maxWorkers)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ThreadPoolExecutor(maxWorkers));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FuturesSession(maxWorkers: maxWorkers));
    }

    [Test]
    public async Task OwnedExecutor_IsDisposedWithTheSession()
    {
        var session = new FuturesSession(maxWorkers: 2);
        IRequestExecutor owned = session.Executor;
        await session.DisposeAsync().Within();

        Assert.Throws<ObjectDisposedException>(() => _ = new FuturesSession(owned));
    }

    [Test]
    public async Task Executor_AfterDispose_RefusesWork_AndSecondDisposeIsANoOp()
    {
        var executor = new ThreadPoolExecutor(2);
        await using var session = new FuturesSession(executor);
        await executor.DisposeAsync().Within();
        await executor.DisposeAsync().Within();

        Assert.Throws<ObjectDisposedException>(() => session.GetAsync(TestServer.Url("/get")));
    }

    [Test]
    public async Task Executor_AfterDispose_TheRefusalIsThrown_NotAlsoLeftInAnUnobservedTask()
    {
        var executor = new ThreadPoolExecutor(1);
        await using var session = new FuturesSession(executor);
        await executor.DisposeAsync().Within();
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            lock (unobserved)
            {
                unobserved.AddRange(e.Exception.InnerExceptions);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            ObjectDisposedException thrown = SubmitAndDropTheTask(session);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            lock (unobserved)
            {
                Assert.That(unobserved, Has.None.SameAs(thrown), "the caller got the exception; its dropped task must not report it again");
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    [Test]
    public async Task ExecutorDispose_CancelsItsQueue_AndWaitsForTheRunningRequest()
    {
        var executor = new ThreadPoolExecutor(1);
        await using var session = new FuturesSession(executor);
        Task<Response> running = session.GetAsync(TestServer.Url("/delay/0.5"));
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == 1, "the first request to run");
        Task<Response> queued = session.GetAsync(TestServer.Url("/get"));

        await executor.DisposeAsync().Within();

        Assert.That(running.IsCompletedSuccessfully, Is.True, "disposal waited for the running request");
        Assert.That(queued.IsCanceled, Is.True);
    }

    [Test]
    public async Task WrappedHttpClient_ItsDefaultHeadersAndBaseAddressApply()
    {
        using var client = new HttpClient { BaseAddress = TestServer.Instance.BaseAddress };
        client.DefaultRequestHeaders.Add("X-From-Client", "wrapped");
        await using var session = new FuturesSession(client);

        Response response = await session.GetAsync("headers").Within();

        Assert.That(response.Json<Echo>()!.Header("X-From-Client"), Is.EqualTo("wrapped"));
    }

    [Test]
    public async Task WrappedHttpClient_IsNotDisposedWithTheSession()
    {
        using var client = new HttpClient();
        await using (var session = new FuturesSession(client))
        {
            await session.GetAsync(TestServer.Url("/get")).Within();
        }

        using HttpResponseMessage stillUsable = await client.GetAsync(TestServer.Url("/get")).Within();
        Assert.That((int)stillUsable.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Callback_RunsOnAThreadPoolThread_NotTheCaller()
    {
        await using var session = new FuturesSession();
        int callerThread = Environment.CurrentManagedThreadId;

        (bool PoolThread, int Thread) seen = await session.GetAsync(TestServer.Url("/get"), _ => (Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId)).Within();

        Assert.That(seen.PoolThread, Is.True);
        Assert.That(seen.Thread, Is.Not.EqualTo(callerThread));
    }

    [Test]
    public async Task Callback_AnyDelegate_IsFineInProcess()
    {
        await using var session = new FuturesSession();
        int offset = 1000;

        int result = await session.GetAsync(TestServer.Url("/status/202"), response => response.StatusCode + offset).Within();

        Assert.That(result, Is.EqualTo(1202));
    }

    [Test]
    public async Task Callback_CustomException_IsTheVeryException()
    {
        await using var session = new FuturesSession();

        Task<string> task = session.GetAsync(TestServer.Url("/get"), Callbacks.CustomBoom);

        CustomCallbackFailure exception = Assert.ThrowsAsync<CustomCallbackFailure>(() => task.Within());
        Assert.That(exception.Message, Is.EqualTo("custom boom on 200"));
    }

    [Test]
    public async Task Dispose_DoesNotBlock_WhileARequestRuns_AndTheRequestStillCompletes()
    {
        var session = new FuturesSession(maxWorkers: 1);
        Task<Response> running = session.GetAsync(TestServer.Url("/delay/1"));
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == 1, "the request to run");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        session.Dispose();

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(500)), "Dispose returned without waiting");
        Assert.That((await running.Within()).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task StreamedResponse_ReturnedByItsCallback_HoldsItsPlace_UntilDisposed()
    {
        await using var session = new FuturesSession(maxWorkers: 1);
        await session.GetAsync(TestServer.Url("/get")).Within();
        Response streamed = await session.GetAsync(TestServer.Url("/stream-bytes/100000"), response => response, new RequestOptions { Stream = true }).Within();

        Task<Response> next = session.GetAsync(TestServer.Url("/get"));
        await Task.WhenAny(next, Task.Delay(1000));

        Assert.That(next.IsCompleted, Is.False, "the one place is held by the streamed response, unread and not disposed");
        await streamed.DisposeAsync();
        Assert.That((await next.Within()).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task QueuedRequests_StartInSubmissionOrder()
    {
        await using var session = new FuturesSession(maxWorkers: 1);
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        Task[] tasks = [.. Enumerable.Range(0, 10).Select(i => session.GetAsync(TestServer.Url("/get"), _ =>
        {
            order.Enqueue(i);
            return i;
        }))];

        await Task.WhenAll(tasks).Within();

        Assert.That(order, Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static ObjectDisposedException SubmitAndDropTheTask(FuturesSession session) =>
        Assert.Throws<ObjectDisposedException>(() => session.GetAsync(TestServer.Url("/get")))!;
}
