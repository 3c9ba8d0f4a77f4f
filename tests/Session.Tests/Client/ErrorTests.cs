using System.Net.Sockets;
using ProcessFutures;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client;

/// <summary>
/// A transport failure surfaces through every executor as HttpClient raises it: the same
/// exception type, <see cref="HttpRequestError"/>, inner exception type (with its socket error)
/// and message, whichever process made the request. Each case is run through a plain HttpClient
/// first, in this test, and the executor's exception is compared with that one.
/// </summary>
[TestFixture(ExecutorKind.ThreadPool)]
[TestFixture(ExecutorKind.ProcessPool)]
[TestFixture(ExecutorKind.ProcessPoolGrpc)]
[TestFixture(ExecutorKind.Remote)]
public sealed class ErrorTests(ExecutorKind kind)
{
    private IRequestExecutor _executor = null!;

    [OneTimeSetUp]
    public void CreateExecutor() => _executor = Executors.Create(kind, capacity: 4);

    [OneTimeTearDown]
    public async Task DisposeExecutor() => await _executor.DisposeAsync().AsTask().Within();

    [Test]
    public Task ConnectionRefused_IsHttpClientsException() => CompareAsync("http://127.0.0.1:1/");

    [Test]
    public Task UnknownHost_IsHttpClientsException() => CompareAsync("http://processfutures-no-such-host.invalid/");

    [Test]
    public Task ConnectionCutMidBody_IsHttpClientsException() => CompareAsync(TestServer.Url("/drop-after/1000?length=100000"));

    [Test]
    public async Task UntrustedCertificate_IsHttpClientsException_WithItsAuthenticationException()
    {
        // A TLS server whose certificate nobody trusts: a remote worker's port (self-signed).
        RemoteWorkerProcess worker = (await SharedRemoteWorkers.WorkersAsync())[0];
        await CompareAsync($"https://{worker.Endpoint}/healthz");
    }

    [Test]
    public async Task Timeout_IsHttpClientsTaskCanceledException_WithItsTimeoutException()
    {
        await using var session = new FuturesSession(_executor);

        TaskCanceledException timedOut = Assert.ThrowsAsync<TaskCanceledException>(() => session.GetAsync(TestServer.Url("/delay/5"), new RequestOptions { Timeout = TimeSpan.FromSeconds(0.5) }).Within(30))!;

        Assert.That(timedOut.InnerException, Is.TypeOf<TimeoutException>());
        Assert.That(timedOut.Message, Does.Contain("timeout of 0.5 seconds"), "HttpClient's own words");
    }

    /// <summary>GETs <paramref name="url"/> with a plain HttpClient and through the executor, and compares the exceptions.</summary>
    private async Task CompareAsync(string url)
    {
        using var client = new HttpClient();
        HttpRequestException expected = Assert.CatchAsync<HttpRequestException>(async () =>
        {
            using HttpResponseMessage response = await client.GetAsync(url).Within(30);
            await response.Content.ReadAsByteArrayAsync().Within(30);
        })!;
        await using var session = new FuturesSession(_executor);

        Exception actual = Assert.CatchAsync(() => session.GetAsync(url).Within(30))!;

        Assert.Multiple(() =>
        {
            Assert.That(actual, Is.TypeOf(expected.GetType()), actual.ToString());
            Assert.That(((HttpRequestException)actual).HttpRequestError, Is.EqualTo(expected.HttpRequestError));
            Assert.That(actual.InnerException?.GetType(), Is.EqualTo(expected.InnerException?.GetType()), "the inner exception, as HttpClient gives it");
            Assert.That((actual.InnerException as SocketException)?.SocketErrorCode, Is.EqualTo((expected.InnerException as SocketException)?.SocketErrorCode));
            Assert.That((actual.InnerException as HttpIOException)?.HttpRequestError, Is.EqualTo((expected.InnerException as HttpIOException)?.HttpRequestError));
            Assert.That(actual.InnerException?.InnerException?.GetType(), Is.EqualTo(expected.InnerException?.InnerException?.GetType()));
            if (expected.InnerException is SocketException or System.Security.Authentication.AuthenticationException)
            {
                // Their words are the system's (a body cut short says how much was missing in words that depend on how it was read).
                Assert.That(actual.InnerException?.Message, Is.EqualTo(expected.InnerException.Message));
            }
        });
    }
}
