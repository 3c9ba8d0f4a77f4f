using System.Net;
using System.Net.Sockets;
using HttpBin;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>
/// The behaviour of FuturesSession, proven once per executor: the swap from the thread pool to
/// the process pool must not change what a call site sees. Includes the cases of requests-futures'
/// own suite (basic get, 404, callback result, callback raising 'boom', redirects, disposal).
/// </summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class FuturesSessionTests(ExecutorKind kind)
{
    private IRequestExecutor _executor = null!;

    [OneTimeSetUp]
    public void CreateExecutor() => _executor = Executors.Create(kind, capacity: 8);

    [OneTimeTearDown]
    public async Task DisposeExecutor()
    {
        await _executor.DisposeAsync().AsTask().Within();
    }

    [Test]
    public async Task GetAsync_Twice_BothComplete()
    {
        await using var session = new FuturesSession(_executor);
        Task<Response> one = session.GetAsync(TestServer.Url("/get"));
        Task<Response> two = session.GetAsync(TestServer.Url("/get?foo=bar"));

        Response first = await one.Within();
        Response second = await two.Within();

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(200));
            Assert.That(first.IsSuccessStatusCode, Is.True);
            Assert.That(first.ReasonPhrase, Is.EqualTo("OK"));
            Assert.That(first.Url.AbsolutePath, Is.EqualTo("/get"));
            Assert.That(second.Json<Echo>()!.Args, Is.EqualTo(new Dictionary<string, string> { ["foo"] = "bar" }));
            Assert.That(second.Headers["content-type"], Does.StartWith("application/json"), "headers are case-insensitive");
            Assert.That(second.Headers["Content-Type"], Is.EqualTo(second.Headers["CONTENT-TYPE"]));
            Assert.That(second.Text, Does.Contain("\"foo\":\"bar\""));
            Assert.That(second.Json().GetProperty("args").GetProperty("foo").GetString(), Is.EqualTo("bar"));
            Assert.That(second.Elapsed, Is.GreaterThan(TimeSpan.Zero));
        });
    }

    [Test]
    public async Task GetAsync_404_ReturnsTheResponse_AndEnsureSuccessThrows()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/status/404")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(404));
        HttpRequestException exception = Assert.Throws<HttpRequestException>(() => response.EnsureSuccessStatusCode());
        Assert.That(exception.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Callback_EnsureSuccessStatusCode_FaultsWithTheStatusCode()
    {
        await using var session = new FuturesSession(_executor);

        HttpRequestException exception = Assert.ThrowsAsync<HttpRequestException>(() => session.GetAsync(TestServer.Url("/status/404"), Callbacks.EnsuresSuccess).Within())!;

        Assert.That(exception.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the same as the thread pool gives, through a worker too");
    }

    [Test]
    public async Task Response_ProcessId_IsTheProcessThatRanTheRequest()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/get")).Within();

        if (kind == ExecutorKind.ThreadPool)
        {
            Assert.That(response.ProcessId, Is.EqualTo(Environment.ProcessId));
        }
        else if (_executor is ProcessPoolExecutor pool)
        {
            Assert.That(pool.WorkerProcessIds, Does.Contain(response.ProcessId));
        }
        else
        {
            Assert.That((await SharedRemoteWorkers.WorkersAsync()).Select(w => w.ProcessId), Does.Contain(response.ProcessId));
        }
    }

    [Test]
    public async Task GetAsync_WithCallback_TaskYieldsTheCallbackResult()
    {
        await using var session = new FuturesSession(_executor);

        Dictionary<string, string> args = await session.GetAsync(TestServer.Url("/get?a=1&b=two"), Callbacks.Args).Within();
        int status = await session.GetAsync(TestServer.Url("/status/201"), Callbacks.StatusCode).Within();

        Assert.That(args, Is.EqualTo(new Dictionary<string, string> { ["a"] = "1", ["b"] = "two" }));
        Assert.That(status, Is.EqualTo(201));
    }

    [Test]
    public async Task Callback_RunsWhereTheRequestRan()
    {
        await using var session = new FuturesSession(_executor);

        Task<Response> response = session.GetAsync(TestServer.Url("/get"));
        int callbackProcess = await session.GetAsync(TestServer.Url("/get"), Callbacks.ProcessId).Within();

        Assert.That(callbackProcess, kind == ExecutorKind.ThreadPool ? Is.EqualTo(Environment.ProcessId) : Is.Not.EqualTo(Environment.ProcessId));
        Assert.That((await response.Within()).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Callback_ThatThrowsBoom_FaultsTheTaskWithTheSameException()
    {
        await using var session = new FuturesSession(_executor);

        Task<string> task = session.GetAsync(TestServer.Url("/get"), Callbacks.Boom);

        InvalidOperationException exception = Assert.ThrowsAsync<InvalidOperationException>(() => task.Within());
        Assert.That(exception.Message, Is.EqualTo("boom"));
        Assert.That(exception.StackTrace, Does.Contain(nameof(Callbacks.Boom)), "the callback's stack trace is kept");
    }

    [Test]
    public async Task Callback_ReturningResponse_RoundTrips()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/bytes/1000?seed=5"), Callbacks.Identity).Within();

        Assert.That(response.Content, Is.EqualTo(DeterministicBytes.Create(1000, 5)));
        Assert.That(response.Headers["Content-Length"], Is.EqualTo("1000"));
        Assert.That(response.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Callback_ReturningARecord_RoundTrips()
    {
        await using var session = new FuturesSession(_executor);

        Summary summary = await session.GetAsync(TestServer.Url("/bytes/321"), Callbacks.Summarize).Within();

        Assert.That(summary.StatusCode, Is.EqualTo(200));
        Assert.That(summary.Path, Is.EqualTo("/bytes/321"));
        Assert.That(summary.Length, Is.EqualTo(321));
        Assert.That(summary.HeaderNames, Does.Contain("Content-Type"));
    }

    [TestCase("/redirect-to?url=/get", 200, "/get")]
    [TestCase("/redirect-to?url=/status/404", 404, "/status/404")]
    [TestCase("/relative-redirect/3", 200, "/get")]
    [TestCase("/absolute-redirect/2", 200, "/get")]
    [TestCase("/redirect-to?url=/get&status_code=307", 200, "/get")]
    public async Task Redirects_AreFollowed_AndUrlIsTheFinalOne(string path, int status, string finalPath)
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url(path)).Within();

        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Url.AbsolutePath, Is.EqualTo(finalPath));
    }

    [Test]
    public async Task Redirects_NotFollowed_WhenTheRequestSaysSo()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/redirect-to?url=/get"), new RequestOptions { AllowRedirects = false }).Within();

        Assert.That(response.StatusCode, Is.EqualTo(302));
        Assert.That(response.Headers["Location"], Is.EqualTo("/get"));
    }

    [Test]
    public async Task Redirects_StopAtMaxRedirects_ReturningTheLastRedirect()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { MaxRedirects = 1 });

        Response response = await session.GetAsync(TestServer.Url("/relative-redirect/3")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(302));
        Assert.That(response.Url.AbsolutePath, Is.EqualTo("/relative-redirect/2"));
    }

    [Test]
    public async Task Post_303Redirect_BecomesGetWithoutBody()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.PostAsync(TestServer.Url("/redirect-to?url=/anything/after&status_code=303"), new RequestOptions { Body = [1, 2, 3] }).Within();

        Echo echo = response.Json<Echo>()!;
        Assert.That(echo.Method, Is.EqualTo("GET"));
        Assert.That(echo.Data, Is.Empty);
    }

    [Test]
    public async Task SessionHeaders_AreSent_AndRequestHeadersWin()
    {
        var options = new SessionOptions { Headers = { ["X-Session"] = "s", ["X-Both"] = "session" } };
        await using var session = new FuturesSession(_executor, options: options);

        Response response = await session.GetAsync(TestServer.Url("/headers"), new RequestOptions { Headers = { ["x-both"] = "request" } }).Within();

        Echo echo = response.Json<Echo>()!;
        Assert.That(echo.Header("X-Session"), Is.EqualTo("s"));
        Assert.That(echo.Header("X-Both"), Is.EqualTo("request"));
    }

    [Test]
    public async Task SessionHeaders_ChangedLater_ApplyToLaterRequests()
    {
        await using var session = new FuturesSession(_executor);
        session.Options.Headers["X-Added-Later"] = "yes";

        Response response = await session.GetAsync(TestServer.Url("/headers")).Within();

        Assert.That(response.Json<Echo>()!.Header("X-Added-Later"), Is.EqualTo("yes"));
    }

    [Test]
    public async Task Params_AreAppendedAndEscaped()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/get?kept=1"), new RequestOptions { Params = { ["q"] = "a b&c=d", ["é"] = "ü" } }).Within();

        Assert.That(response.Json<Echo>()!.Args, Is.EqualTo(new Dictionary<string, string> { ["kept"] = "1", ["q"] = "a b&c=d", ["é"] = "ü" }));
    }

    [Test]
    public async Task BaseAddress_ResolvesRelativeUrls()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { BaseAddress = TestServer.Instance.BaseAddress });

        Response response = await session.GetAsync("/get?relative=yes").Within();

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Json<Echo>()!.Args["relative"], Is.EqualTo("yes"));
    }

    [Test]
    public async Task Post_Json_IsSerializedOnTheCallingSide()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.PostAsync(TestServer.Url("/post"), new RequestOptions { Json = new { Name = "x", Count = 2 } }).Within();

        System.Text.Json.JsonElement json = response.Json().GetProperty("json");
        Assert.That(json.GetProperty("name").GetString(), Is.EqualTo("x"));
        Assert.That(json.GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(response.Json<Echo>()!.Header("Content-Type"), Does.StartWith("application/json"));
    }

    [Test]
    public async Task Put_Form_IsUrlEncoded()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.PutAsync(TestServer.Url("/put"), new RequestOptions { Form = { ["a"] = "1 2", ["b"] = "&" } }).Within();

        Assert.That(response.Json<Echo>()!.Form, Is.EqualTo(new Dictionary<string, string> { ["a"] = "1 2", ["b"] = "&" }));
    }

    [Test]
    public async Task Patch_Body_IsSentAsIs_WithItsContentType()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.PatchAsync(TestServer.Url("/patch"), new RequestOptions { Body = "raw text"u8.ToArray(), ContentType = "text/plain" }).Within();

        Echo echo = response.Json<Echo>()!;
        Assert.That(echo.Data, Is.EqualTo("raw text"));
        Assert.That(echo.Header("Content-Type"), Is.EqualTo("text/plain"));
    }

    [Test]
    public async Task Post_LargeBody_ArrivesWhole()
    {
        await using var session = new FuturesSession(_executor);
        byte[] body = new byte[5 * 1024 * 1024];
        Array.Fill(body, (byte)'a');

        Response response = await session.PostAsync(TestServer.Url("/post"), new RequestOptions { Body = body, ContentType = "text/plain" }).Within();

        Assert.That(response.Json<Echo>()!.Data, Has.Length.EqualTo(body.Length));
    }

    [Test]
    public async Task Delete_Head_Options_UseTheirMethods()
    {
        await using var session = new FuturesSession(_executor);

        Response delete = await session.DeleteAsync(TestServer.Url("/delete")).Within();
        Response head = await session.HeadAsync(TestServer.Url("/bytes/100")).Within();
        Response options = await session.OptionsAsync(TestServer.Url("/anything/x")).Within();
        Response custom = await session.RequestAsync(new HttpMethod("PROPFIND"), TestServer.Url("/anything/y")).Within();

        Assert.That(delete.Json<Echo>()!.Method, Is.EqualTo("DELETE"));
        Assert.That(head.StatusCode, Is.EqualTo(200));
        Assert.That(head.Content, Is.Empty);
        Assert.That(options.Json<Echo>()!.Method, Is.EqualTo("OPTIONS"));
        Assert.That(custom.Json<Echo>()!.Method, Is.EqualTo("PROPFIND"));
    }

    [Test]
    public async Task Cookies_FromSessionAndRequest_AreSent()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { Cookies = { ["s"] = "1", ["both"] = "session" } });

        Response response = await session.GetAsync(TestServer.Url("/cookies"), new RequestOptions { Cookies = { ["r"] = "2", ["both"] = "request" } }).Within();

        Assert.That(response.Json().GetProperty("cookies").ToString(), Is.EqualTo("""{"s":"1","r":"2","both":"request"}"""));
    }

    [Test]
    public async Task Cookies_SetByAResponse_AreSentByLaterRequests()
    {
        await using var session = new FuturesSession(_executor);

        // Set-Cookie arrives on a redirect hop; the hop's target already sees it, as in requests.
        Response set = await session.GetAsync(TestServer.Url("/cookies/set?flavour=oat")).Within();
        Response[] later = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => session.GetAsync(TestServer.Url("/cookies")))).Within();

        Assert.That(set.Json().GetProperty("cookies").GetProperty("flavour").GetString(), Is.EqualTo("oat"));
        Assert.That(later.Select(r => r.Json().GetProperty("cookies").GetProperty("flavour").GetString()), Is.All.EqualTo("oat"));
    }

    [Test]
    public async Task Cookies_DoNotLeakBetweenSessions()
    {
        await using var first = new FuturesSession(_executor);
        await using var second = new FuturesSession(_executor);
        await first.GetAsync(TestServer.Url("/cookies/set?private=1")).Within();

        Response response = await second.GetAsync(TestServer.Url("/cookies")).Within();

        Assert.That(response.Json().GetProperty("cookies").ToString(), Is.EqualTo("{}"));
    }

    [Test]
    public async Task BasicAuth_AndBearer_AreSent()
    {
        await using var basic = new FuturesSession(_executor, options: new SessionOptions { BasicAuth = ("ann", "s3cret") });
        await using var bearer = new FuturesSession(_executor, options: new SessionOptions { BearerToken = "tok" });

        Response basicResponse = await basic.GetAsync(TestServer.Url("/basic-auth/ann/s3cret")).Within();
        Response bearerResponse = await bearer.GetAsync(TestServer.Url("/bearer")).Within();

        Assert.That(basicResponse.StatusCode, Is.EqualTo(200));
        Assert.That(bearerResponse.Json().GetProperty("token").GetString(), Is.EqualTo("tok"));
    }

    [Test]
    public async Task Gzip_IsDecompressed()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/gzip")).Within();

        Assert.That(response.Json().GetProperty("gzipped").GetBoolean(), Is.True);
    }

    [TestCase("/encoding/utf8", "Ünïcödé — ∮ E⋅da = Q, 日本語, 🙂")]
    [TestCase("/encoding/latin1", "café, naïve, señor")]
    public async Task Text_IsDecodedWithTheCharsetOfContentType(string path, string expected)
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url(path)).Within();

        Assert.That(response.Text, Does.Contain(expected));
    }

    [Test]
    public async Task Body_Of8MiB_ArrivesIntact()
    {
        await using var session = new FuturesSession(_executor);

        Response response = await session.GetAsync(TestServer.Url("/stream-bytes/8388608?seed=11")).Within();

        Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(response.Content)), Is.EqualTo(DeterministicBytes.Sha256Hex(8388608, 11)));
    }

    [Test]
    public async Task Timeout_FaultsWithTaskCanceledException_WrappingTimeoutException()
    {
        await using var session = new FuturesSession(_executor);
        var started = System.Diagnostics.Stopwatch.StartNew();

        Task<Response> task = session.GetAsync(TestServer.Url("/delay/10"), new RequestOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        TaskCanceledException exception = Assert.ThrowsAsync<TaskCanceledException>(() => task.Within());
        Assert.That(exception.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)), "the timeout, not the server, ended it");
    }

    [Test]
    public async Task SessionTimeout_AppliesWhenTheRequestSetsNone()
    {
        await using var session = new FuturesSession(_executor, options: new SessionOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        Task<Response> task = session.GetAsync(TestServer.Url("/delay/10"));

        TaskCanceledException exception = Assert.ThrowsAsync<TaskCanceledException>(() => task.Within());
        Assert.That(exception.InnerException, Is.InstanceOf<TimeoutException>());
    }

    [Test]
    public async Task Cancellation_OfARunningRequest_EndsTheTaskCanceled_AndAbortsTheExchange()
    {
        await using var session = new FuturesSession(_executor);
        using var cancel = new CancellationTokenSource();
        string marker = Guid.NewGuid().ToString("N");

        Task<Response> task = session.GetAsync(TestServer.Url($"/delay/20?marker={marker}"), cancellationToken: cancel.Token);
        await Waits.UntilAsync(() => TestServer.Instance.InFlight > 0, "the request to reach the server");
        cancel.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => task.Within(5));
        Assert.That(task.IsCanceled, Is.True);
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == 0, "the server to see the exchange aborted", seconds: 5);
    }

    [Test]
    public async Task ConnectionRefused_FaultsWithHttpRequestException()
    {
        await using var session = new FuturesSession(_executor);
        int closedPort = ClosedPort();

        Task<Response> task = session.GetAsync($"http://127.0.0.1:{closedPort}/get");

        HttpRequestException exception = Assert.ThrowsAsync<HttpRequestException>(() => task.Within());
        Assert.That(exception.HttpRequestError, Is.EqualTo(HttpRequestError.ConnectionError));
    }

    [Test]
    public async Task ConnectionDropped_FaultsWithHttpRequestException()
    {
        await using var session = new FuturesSession(_executor);

        Task<Response> task = session.GetAsync(TestServer.Url("/drop"));

        Assert.ThrowsAsync<HttpRequestException>(() => task.Within());
        Assert.That((await session.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200), "the executor keeps serving");
    }

    [Test]
    public async Task UntrustedCertificate_FaultsWithHttpRequestException_UnlessVerifyTlsIsOff()
    {
        await using var verifying = new FuturesSession(_executor);
        await using var trusting = new FuturesSession(_executor, options: new SessionOptions { VerifyTls = false });

        HttpRequestException refused = Assert.ThrowsAsync<HttpRequestException>(() => verifying.GetAsync(TestServer.Instance.HttpsUrl("/get")).Within())!;
        Response accepted = await trusting.GetAsync(TestServer.Instance.HttpsUrl("/get")).Within();

        Assert.That(refused.HttpRequestError, Is.EqualTo(HttpRequestError.SecureConnectionError));
        Assert.That(accepted.StatusCode, Is.EqualTo(200));
        Assert.That(accepted.Url.Scheme, Is.EqualTo("https"));
    }

    [Test]
    public async Task Proxy_CarriesTheRequest()
    {
        // The local httpbin stands in for the proxy: it answers absolute-form requests by path.
        await using var session = new FuturesSession(_executor, options: new SessionOptions { Proxy = TestServer.Instance.BaseAddress });

        Response response = await session.GetAsync("http://through-the-proxy.invalid/headers").Within();

        Assert.That(response.StatusCode, Is.EqualTo(200), "the host does not exist: only the proxy could answer");
        Assert.That(response.Json<Echo>()!.Header("Host"), Is.EqualTo("through-the-proxy.invalid"));
    }

    [TestCase("relative/path", "not an absolute URL")]
    [TestCase("/rooted/path", "not an absolute URL")]
    [TestCase("ftp://127.0.0.1/file", "only http and https")]
    [TestCase("http://", "not an absolute URL")]
    public async Task BadUrl_IsRefusedSynchronously(string url, string expected)
    {
        await using var session = new FuturesSession(_executor);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => session.GetAsync(url));

        Assert.That(exception.Message, Does.Contain(expected).And.Contain(url));
    }

    [Test]
    public async Task BadRequestOptions_AreRefusedSynchronously()
    {
        await using var session = new FuturesSession(_executor);
        string url = TestServer.Url("/get");

        Assert.Multiple(() =>
        {
            Assert.That(() => session.GetAsync(url, new RequestOptions { Headers = { ["Bad Name"] = "x" } }), Throws.ArgumentException.With.Message.Contains("'Bad Name'"));
            Assert.That(() => session.GetAsync(url, new RequestOptions { Headers = { ["X-Injected"] = "a\r\nHost: evil" } }), Throws.ArgumentException.With.Message.Contains("X-Injected"));
            Assert.That(() => session.GetAsync(url, new RequestOptions { Timeout = TimeSpan.FromSeconds(-2) }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => session.PostAsync(url, new RequestOptions { Json = 1, Body = [1] }), Throws.ArgumentException.With.Message.Contains("one body"));
            Assert.That(() => session.GetAsync(url, (Func<Response, int>)null!), Throws.ArgumentNullException);
            Assert.That(() => session.GetAsync(null!), Throws.ArgumentNullException);
        });
        Assert.That((await session.GetAsync(url).Within()).StatusCode, Is.EqualTo(200), "the executor keeps serving");
    }

    [Test]
    public void BadSessionOptions_AreRefusedAtConstruction_AllProblemsAtOnce()
    {
        var options = new SessionOptions { MaxRedirects = -1, BasicAuth = ("a", "b"), BearerToken = "t", Timeout = TimeSpan.Zero, BaseAddress = new Uri("ftp://x/") };

        ArgumentException exception = Assert.Throws<ArgumentException>(() => _ = new FuturesSession(_executor, options: options));

        Assert.That(exception.Message, Does.Contain("MaxRedirects '-1'").And.Contain("BearerToken").And.Contain("Timeout").And.Contain("'ftp://x/'"));
    }

    [Test]
    public async Task Session_AfterDispose_ThrowsObjectDisposedException()
    {
        var session = new FuturesSession(_executor);
        await session.DisposeAsync().Within();
        await session.DisposeAsync().Within();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.GetAsync(TestServer.Url("/get")));
    }

    [Test]
    public async Task SharedExecutor_ServesSeveralSessions_AndOutlivesThem()
    {
        await using (var first = new FuturesSession(_executor))
        await using (var second = new FuturesSession(_executor))
        {
            Response[] both = await Task.WhenAll(first.GetAsync(TestServer.Url("/get")), second.GetAsync(TestServer.Url("/get"))).Within();
            Assert.That(both.Select(r => r.StatusCode), Is.All.EqualTo(200));
            Assert.That(first.Executor, Is.SameAs(second.Executor));
        }

        await using var third = new FuturesSession(_executor);
        Assert.That((await third.GetAsync(TestServer.Url("/get")).Within()).StatusCode, Is.EqualTo(200), "disposing a session does not dispose a given executor");
    }

    [Test]
    public async Task MaxWorkers3_NeverMoreThan3InFlight_And20AllComplete()
    {
        await using IRequestExecutor executor = Executors.Create(kind, capacity: 3, processes: 3);
        await using var session = new FuturesSession(executor);
        await using var server = await HttpBinServer.StartAsync().Within();

        Response[] responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => session.GetAsync(server.Url($"/delay/0.1?i={i}")))).Within(60);

        Assert.That(responses, Has.Length.EqualTo(20));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(200));
        Assert.That(server.MaxInFlight, Is.EqualTo(Executors.Capacity(kind, 3)), "at most 3 at once (remote: the 2 the shared workers give), and the limit was reached");
    }

    [Test]
    public async Task Dispose_WithOneRunningAndTwoQueued_CancelsTheQueued_AndTheRunningOneFinishes()
    {
        await using IRequestExecutor executor = Executors.Create(kind, capacity: 1, processes: 1);
        var session = new FuturesSession(executor);

        // Every slot busy (remote workers give at least one each), so the next two really queue.
        int slots = Executors.Capacity(kind, 1);
        Task<Response>[] running = [.. Enumerable.Range(0, slots).Select(_ => session.GetAsync(TestServer.Url("/delay/1")))];
        await Waits.UntilAsync(() => TestServer.Instance.InFlight == slots, "every slot to run a request");
        Task<Response> queuedOne = session.GetAsync(TestServer.Url("/delay/10"));
        Task<Response> queuedTwo = session.GetAsync(TestServer.Url("/delay/10"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        session.Dispose();

        Assert.CatchAsync<OperationCanceledException>(() => queuedOne.Within(5));
        Assert.CatchAsync<OperationCanceledException>(() => queuedTwo.Within(5));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the queued ones are not waited for");
        Assert.That(queuedOne.IsCanceled && queuedTwo.IsCanceled, Is.True);
        foreach (Task<Response> request in running)
        {
            Assert.That((await request.Within()).StatusCode, Is.EqualTo(200), "the running requests finish");
        }
    }

    [Test]
    public async Task CancellationWhileQueued_EndsOnlyThatTask()
    {
        await using IRequestExecutor executor = Executors.Create(kind, capacity: 1, processes: 1);
        await using var session = new FuturesSession(executor);
        using var cancel = new CancellationTokenSource();
        Task<Response> running = session.GetAsync(TestServer.Url("/delay/0.5"));
        Task<Response> queued = session.GetAsync(TestServer.Url("/get"), cancellationToken: cancel.Token);
        Task<Response> after = session.GetAsync(TestServer.Url("/get"));

        cancel.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => queued.Within(5));
        Assert.That((await running.Within()).StatusCode, Is.EqualTo(200));
        Assert.That((await after.Within()).StatusCode, Is.EqualTo(200));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
