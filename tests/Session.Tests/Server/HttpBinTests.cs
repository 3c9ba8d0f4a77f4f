using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using HttpBin;
using Session.Tests.Infrastructure;

namespace Session.Tests.Server;

/// <summary>The local httpbin's own endpoints, checked with a plain HttpClient: the other suites rely on them.</summary>
public sealed class HttpBinTests
{
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void CreateClient() => _client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

    [OneTimeTearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public void DeterministicBytes_FilledInOddPieces_MatchesOneFill()
    {
        byte[] whole = DeterministicBytes.Create(100_003, 42);
        byte[] pieces = new byte[whole.Length];
        var bytes = new DeterministicBytes(42);
        var sizes = new Random(1);
        for (int offset = 0; offset < pieces.Length;)
        {
            int size = Math.Min(sizes.Next(0, 40), pieces.Length - offset);
            bytes.Fill(pieces.AsSpan(offset, size));
            offset += size;
        }

        Assert.That(pieces, Is.EqualTo(whole));
        Assert.That(DeterministicBytes.Sha256Hex(whole.Length, 42), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(whole))));
    }

    [Test]
    public async Task BytesHead_OfOnePointFiveGigabytes_AnswersTheLengthAtOnceWithoutABody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, TestServer.Url("/bytes/1500000000"));

        using HttpResponseMessage response = await _client.SendAsync(request).Within(5);
        byte[] body = await response.Content.ReadAsByteArrayAsync().Within(5);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(1_500_000_000L));
        Assert.That(body, Is.Empty);
    }

    [Test]
    public async Task Bytes_FiveMegabytes_HashesToSha256Hex()
    {
        using HttpResponseMessage response = await _client.GetAsync(TestServer.Url("/bytes/5000000?seed=7")).Within();
        byte[] body = await response.Content.ReadAsByteArrayAsync().Within();

        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(5_000_000L));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(body)), Is.EqualTo(DeterministicBytes.Sha256Hex(5_000_000, 7)));
    }

    [TestCase("/bytes/20000001?seed=9", true)]
    [TestCase("/stream-bytes/20000001?seed=9", false)]
    public async Task Bytes_AboveTheCachedSize_AreGeneratedAsSentAndHashRight(string pathAndQuery, bool knownLength)
    {
        using HttpResponseMessage response = await _client.GetAsync(TestServer.Url(pathAndQuery), HttpCompletionOption.ResponseHeadersRead).Within();
        await using Stream body = await response.Content.ReadAsStreamAsync().Within();
        byte[] hash = await SHA256.HashDataAsync(body).AsTask().Within();

        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(knownLength ? 20_000_001L : null));
        Assert.That(response.Headers.TransferEncodingChunked, Is.EqualTo(knownLength ? (bool?)null : true));
        Assert.That(Convert.ToHexStringLower(hash), Is.EqualTo(DeterministicBytes.Sha256Hex(20_000_001, 9)));
    }

    [TestCase(0L)]
    [TestCase(100_000L)]
    public async Task DropAfter_N_FailsTheReadAfterExactlyNBytes(long n)
    {
        using HttpResponseMessage response = await _client.GetAsync(TestServer.Url($"/drop-after/{n}?seed=5"), HttpCompletionOption.ResponseHeadersRead).Within();
        await using Stream body = await response.Content.ReadAsStreamAsync().Within();
        var received = new MemoryStream();
        Exception? failure = null;
        try
        {
            await body.CopyToAsync(received).Within();
        }
        catch (IOException exception)
        {
            failure = exception;
        }
        catch (HttpRequestException exception)
        {
            failure = exception;
        }

        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(Math.Max(2 * n, n + 1)), "the announced length");
        Assert.That(failure, Is.Not.Null, "the read fails");
        Assert.That(received.ToArray(), Is.EqualTo(DeterministicBytes.Create((int)n, 5)), "after exactly the first n bytes");
    }

    [Test]
    public async Task DropAfter_AnnouncedLengthNotAboveN_IsRefused()
    {
        using HttpResponseMessage response = await _client.GetAsync(TestServer.Url("/drop-after/10?length=10")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task UploadSha256_TwentyMegabytes_AnswersItsHashAndLength_WithLengthOrChunked()
    {
        const int length = 20_000_000;
        byte[] upload = DeterministicBytes.Create(length, 3);
        string expected = DeterministicBytes.Sha256Hex(length, 3);

        using HttpResponseMessage posted = await _client.PostAsync(TestServer.Url("/upload/sha256"), new ByteArrayContent(upload)).Within();
        using var chunked = new HttpRequestMessage(HttpMethod.Put, TestServer.Url("/upload/sha256")) { Content = new StreamContent(new MemoryStream(upload)) };
        chunked.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage put = await _client.SendAsync(chunked).Within();

        foreach (HttpResponseMessage response in new[] { posted, put })
        {
            JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>().Within();
            Assert.That(json.GetProperty("sha256").GetString(), Is.EqualTo(expected));
            Assert.That(json.GetProperty("length").GetInt64(), Is.EqualTo(length));
        }
    }

    [Test]
    public async Task CookiesMany_OneHop_SetsEachCookieInItsOwnHeader_AndRedirectsKeepingTheQuery()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler);

        using HttpResponseMessage response = await client.GetAsync(TestServer.Url("/cookies/many?count=3&size=4&redirects=2&pad=xyz")).Within();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
        Assert.That(response.Headers.GetValues("Set-Cookie"), Is.EqualTo(new[] { "c0=aaaa; path=/", "c1=bbbb; path=/", "c2=cccc; path=/" }));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo("/cookies/many?count=3&size=4&redirects=1&pad=xyz"));
    }

    [Test]
    public async Task CookiesMany_WithRedirectsAndALongUrl_LastHopCountsTheCookiesCarried()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), MaxAutomaticRedirections = 10 };
        using var client = new HttpClient(handler);
        string pad = new('p', 20_000);

        using HttpResponseMessage response = await client.GetAsync(TestServer.Url($"/cookies/many?count=15&size=100&redirects=3&pad={pad}")).Within();
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>().Within();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.RequestMessage?.RequestUri?.Query, Does.Contain("redirects=0").And.Contain(pad));
        Assert.That(json.GetProperty("cookies").GetInt32(), Is.EqualTo(15));
        Assert.That(handler.CookieContainer.GetCookies(TestServer.Instance.BaseAddress), Has.Count.EqualTo(15));
    }

    [Test]
    public async Task Flaky_FailsTheFirstFRequestsPerKey_ThenCountsAttempts()
    {
        string key = Guid.NewGuid().ToString("N");
        string url = TestServer.Url($"/flaky/{key}?fail=2&status=429&retryAfter=1");

        using HttpResponseMessage first = await _client.GetAsync(url).Within();
        using HttpResponseMessage second = await _client.GetAsync(url).Within();
        using HttpResponseMessage third = await _client.GetAsync(url).Within();
        JsonElement json = await third.Content.ReadFromJsonAsync<JsonElement>().Within();
        using HttpResponseMessage otherKey = await _client.GetAsync(TestServer.Url($"/flaky/{key}-other")).Within();

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(first.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(third.Headers.RetryAfter, Is.Null);
            Assert.That(json.GetProperty("attempt").GetInt32(), Is.EqualTo(3));
            Assert.That(TestServer.Instance.Attempts(key), Is.EqualTo(3));
            Assert.That(otherKey.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a key of its own, failed once by default with 503");
            Assert.That(TestServer.Instance.Attempts("never-requested"), Is.Zero);
        });
    }

    [Test]
    public async Task Headers_EchoesTraceparent()
    {
        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var request = new HttpRequestMessage(HttpMethod.Get, TestServer.Url("/headers"));
        request.Headers.Add("traceparent", traceparent);

        using HttpResponseMessage response = await _client.SendAsync(request).Within();
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>().Within();

        Assert.That(json.GetProperty("headers").GetProperty("traceparent").GetString(), Is.EqualTo(traceparent));
    }
}
