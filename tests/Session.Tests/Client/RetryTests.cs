using System.Diagnostics;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>Retries, opt-in, carried out where the request runs: the answer, the attempts, Retry-After, and what is never retried.</summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class RetryTests(ExecutorKind kind)
{
    private static readonly RetryPolicy s_quick = new() { BaseDelay = TimeSpan.FromMilliseconds(20) };

    private IRequestExecutor _executor = null!;

    [OneTimeSetUp]
    public void CreateExecutor() => _executor = Executors.Create(kind, capacity: 4);

    [OneTimeTearDown]
    public async Task DisposeExecutor() => await _executor.DisposeAsync().AsTask().Within();

    [Test]
    public async Task TwoServiceUnavailable_ThenOK_IsOneOKAfterThreeAttempts_AndTheCallbackRunsOnce()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { Retry = s_quick });
        string key = Guid.NewGuid().ToString("N");

        AttemptsSeen seen = await session.GetAsync(TestServer.Url($"/flaky/{key}?fail=2&status=503"), RetryCallbacks.Attempts).Within();

        Assert.That(seen.StatusCode, Is.EqualTo(200));
        Assert.That(seen.Attempts, Is.EqualTo(3));
        Assert.That(TestServer.Instance.Attempts(key), Is.EqualTo(3), "the server saw three requests");
        Assert.That(seen.ProcessId, kind.RunsElsewhere() ? Is.Not.EqualTo(Environment.ProcessId) : Is.EqualTo(Environment.ProcessId), "the callback ran where the attempts were made, on the final one (it saw 200 and three attempts)");
    }

    [Test]
    public async Task RetryAfter_IsWaitedFor()
    {
        await using var session = new FuturesSession(_executor);
        string key = Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();

        Response response = await session.GetAsync(TestServer.Url($"/flaky/{key}?fail=1&status=429&retryAfter=1"), new RequestOptions { Retry = s_quick }).Within();

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Attempts, Is.EqualTo(2));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)), "Retry-After: 1, not the 20 ms base delay");
    }

    [Test]
    public async Task RetryAfterLongerThanMaxDelay_ReturnsTheAnswer_WithoutWaiting()
    {
        await using var session = new FuturesSession(_executor);
        string key = Guid.NewGuid().ToString("N");

        Response response = await session.GetAsync(TestServer.Url($"/flaky/{key}?fail=1&status=503&retryAfter=3600"), new RequestOptions { Retry = s_quick }).Within();

        Assert.That(response.StatusCode, Is.EqualTo(503));
        Assert.That(response.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task Post_IsNotRetried_UnlessItsMethodIsListed()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { Retry = s_quick });
        string once = Guid.NewGuid().ToString("N");
        string listed = Guid.NewGuid().ToString("N");

        Response notRetried = await session.PostAsync(TestServer.Url($"/flaky/{once}?fail=1"), new RequestOptions { Body = [1, 2, 3] }).Within();
        var withPost = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), Methods = ["POST"] };
        Response retried = await session.PostAsync(TestServer.Url($"/flaky/{listed}?fail=1"), new RequestOptions { Body = [1, 2, 3], Retry = withPost }).Within();

        Assert.That(notRetried.StatusCode, Is.EqualTo(503));
        Assert.That(notRetried.Attempts, Is.EqualTo(1));
        Assert.That(TestServer.Instance.Attempts(once), Is.EqualTo(1));
        Assert.That(retried.StatusCode, Is.EqualTo(200));
        Assert.That(retried.Attempts, Is.EqualTo(2));
    }

    [Test]
    public async Task WithoutAPolicy_NothingIsRetried()
    {
        await using var session = new FuturesSession(_executor);
        string key = Guid.NewGuid().ToString("N");

        Response response = await session.GetAsync(TestServer.Url($"/flaky/{key}?fail=1")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(503));
        Assert.That(response.Attempts, Is.EqualTo(1));
        Assert.That(TestServer.Instance.Attempts(key), Is.EqualTo(1));
    }

    [Test]
    public async Task AStreamedUpload_IsNotRetried_AndTheExceptionSaysSo()
    {
        await using var session = new FuturesSession(_executor);
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, [1, 2, 3]);
            var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20), Methods = ["PUT"] };

            HttpRequestException exception = Assert.ThrowsAsync<HttpRequestException>(() =>
                session.PutAsync("http://127.0.0.1:1/refused", new RequestOptions { UploadFrom = file, Retry = policy }).Within())!;

            Assert.That(exception.Message, Does.Contain("not retried").And.Contain("UploadFrom"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>What a callback saw of its response, and where it ran.</summary>
public sealed record AttemptsSeen(int StatusCode, int Attempts, int ProcessId);

/// <summary>Callbacks for the retry tests.</summary>
public static class RetryCallbacks
{
    public static AttemptsSeen Attempts(Response response) => new(response.StatusCode, response.Attempts, Environment.ProcessId);
}
