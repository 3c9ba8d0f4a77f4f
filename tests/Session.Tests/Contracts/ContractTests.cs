using System.Text;
using MessagePack;
using ProcessFutures;
using ProcessFutures.Internal;

namespace Session.Tests.Contracts;

/// <summary>The shared types on their own: what crosses processes survives the trip, and Response reads its body as documented.</summary>
public sealed class ContractTests
{
    [Test]
    public void SessionOptions_RoundTripThroughMessagePack()
    {
        var options = new SessionOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:1/base/"),
            Headers = { ["X-A"] = "1" },
            Cookies = { ["c"] = "2" },
            Timeout = TimeSpan.FromSeconds(3),
            AllowRedirects = false,
            MaxRedirects = 4,
            BasicAuth = ("u", "p"),
            VerifyTls = false,
            Proxy = new Uri("http://proxy:8080/"),
        };

        SessionOptions copy = MessagePackSerializer.Deserialize<SessionOptions>(MessagePackSerializer.Serialize(options, ResultSerializer.Options), ResultSerializer.Options);

        Assert.That(copy.BaseAddress, Is.EqualTo(options.BaseAddress));
        Assert.That(copy.Headers, Is.EquivalentTo(options.Headers));
        Assert.That(copy.Cookies, Is.EquivalentTo(options.Cookies));
        Assert.That((copy.Timeout, copy.AllowRedirects, copy.MaxRedirects, copy.BasicAuth, copy.VerifyTls, copy.Proxy), Is.EqualTo((options.Timeout, false, 4, options.BasicAuth, false, options.Proxy)));
    }

    [Test]
    public void RequestOptions_RoundTripThroughMessagePack_ExceptJson()
    {
        var options = new RequestOptions { Headers = { ["h"] = "1" }, Params = { ["p"] = "2" }, Body = [1, 2, 3], ContentType = "x/y", Timeout = TimeSpan.FromSeconds(1), AllowRedirects = true, Json = new { ignored = true } };

        RequestOptions copy = MessagePackSerializer.Deserialize<RequestOptions>(MessagePackSerializer.Serialize(options, ResultSerializer.Options), ResultSerializer.Options);

        Assert.That(copy.Headers, Is.EquivalentTo(options.Headers));
        Assert.That(copy.Params, Is.EquivalentTo(options.Params));
        Assert.That(copy.Body, Is.EqualTo(options.Body));
        Assert.That((copy.ContentType, copy.Timeout, copy.AllowRedirects), Is.EqualTo(("x/y", options.Timeout, (bool?)true)));
        Assert.That(copy.Json, Is.Null, "JSON is serialized on the calling side; the object itself does not travel");
    }

    [Test]
    public void Response_RoundTripsThroughMessagePack_WithCaseInsensitiveHeaders()
    {
        Response response = Make("text/plain", "body"u8.ToArray());

        Response copy = MessagePackSerializer.Deserialize<Response>(MessagePackSerializer.Serialize(response, ResultSerializer.Options), ResultSerializer.Options);

        Assert.That((copy.StatusCode, copy.ReasonPhrase, copy.Url, copy.Elapsed, copy.ProcessId), Is.EqualTo((201, "Created", response.Url, response.Elapsed, 42)));
        Assert.That(copy.Content, Is.EqualTo(response.Content));
        Assert.That(copy.Headers["CONTENT-TYPE"], Is.EqualTo("text/plain"));
    }

    [TestCase("text/plain; charset=iso-8859-1", "caf\u00e9")]
    [TestCase("text/plain; charset=\"utf-8\"", "caf\u00e9")]
    [TestCase("text/plain; charset=no-such-charset", "caf\u00e9")]
    [TestCase("application/json", "caf\u00e9")]
    public void Text_DecodesWithTheCharset_FallingBackToUtf8(string contentType, string expected)
    {
        Encoding encoding = contentType.Contains("8859", StringComparison.Ordinal) ? Encoding.Latin1 : Encoding.UTF8;

        Assert.That(Make(contentType, encoding.GetBytes(expected)).Text, Is.EqualTo(expected));
    }

    [Test]
    public void Text_SkipsAByteOrderMark()
    {
        byte[] body = [.. Encoding.UTF8.Preamble, .. "hi"u8];

        Assert.That(Make("text/plain; charset=utf-8", body).Text, Is.EqualTo("hi"));
    }

    [Test]
    public void Json_ParsesWithWebDefaults()
    {
        Response response = Make("application/json", """{"someName":"v","count":3}"""u8.ToArray());

        Assert.That(response.Json<Shape>(), Is.EqualTo(new Shape("v", 3)));
        Assert.That(response.Json().GetProperty("count").GetInt32(), Is.EqualTo(3));
    }

    private static Response Make(string contentType, byte[] content) => new(
        201,
        "Created",
        new Uri("http://127.0.0.1:1/x"),
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = contentType },
        content,
        TimeSpan.FromMilliseconds(5),
        42);

    private sealed record Shape(string SomeName, int Count);
}
