using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HttpBin;

/// <summary>
/// An httpbin-like server on 127.0.0.1, started in process (or as its own process: see
/// <c>Program</c>). It counts the requests it is serving at once (<see cref="InFlight"/>,
/// <see cref="MaxInFlight"/>), which is how tests prove concurrency limits from the outside.
/// </summary>
public sealed partial class HttpBinServer : IAsyncDisposable
{
    /// <summary>The longest request line (method, URL, version) the server takes: far above Kestrel's 8 KiB, for long-URL tests.</summary>
    public const int MaxRequestLineSize = 256 * 1024;

    /// <summary>The most header bytes a request may carry: far above Kestrel's 32 KiB (for many cookies), still below a 1 MB header.</summary>
    public const int MaxRequestHeadersTotalSize = 256 * 1024;

    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private long _served;

    private HttpBinServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The same endpoints over HTTPS, with a self-signed certificate made at start (no client trusts it).</summary>
    public Uri HttpsBaseAddress { get; private set; } = null!;

    /// <summary>Requests being served right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests served at once since start or <see cref="ResetCounters"/>.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests completed since start or <see cref="ResetCounters"/>.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Starts a server on free ports of 127.0.0.1, for HTTP and HTTPS.</summary>
    public static Task<HttpBinServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(0, cancellationToken);

    /// <summary>Starts a server on 127.0.0.1: HTTP on <paramref name="port"/> (0 = a free one), HTTPS on a free port.</summary>
    public static async Task<HttpBinServer> StartAsync(int port, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        X509Certificate2 certificate = SelfSignedCertificate();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, port);
            options.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            options.Limits.MaxRequestBodySize = null;
            options.Limits.MaxRequestLineSize = MaxRequestLineSize;
            options.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        });
        builder.Services.AddRoutingCore();
        WebApplication app = builder.Build();
        var server = new HttpBinServer(app);
        server.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.BaseAddress = new Uri(addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)).TrimEnd('/') + "/");
        server.HttpsBaseAddress = new Uri(addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)).TrimEnd('/') + "/");
        return server;
    }

    /// <summary>An absolute HTTPS URL on this server.</summary>
    public string HttpsUrl(string pathAndQuery) => new Uri(HttpsBaseAddress, pathAndQuery.TrimStart('/')).AbsoluteUri;

    /// <summary>An absolute URL on this server.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery.TrimStart('/')).AbsoluteUri;

    public void ResetCounters()
    {
        Volatile.Write(ref _maxInFlight, InFlight);
        Interlocked.Exchange(ref _served, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            int now = Interlocked.Increment(ref _inFlight);
            for (int max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
            {
                if (Interlocked.CompareExchange(ref _maxInFlight, now, max) == max)
                {
                    break;
                }
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _served);
            }
        });

        app.MapGet("/get", (HttpContext c) => Results.Json(new { args = Args(c), headers = Headers(c), url = FullUrl(c) }));
        app.MapGet("/headers", (HttpContext c) => Results.Json(new { headers = Headers(c) }));
        app.MapGet("/json", () => Results.Json(new { slideshow = new { title = "Sample Slide Show", author = "Yours Truly", slides = new[] { "Wake up", "Overview" } } }));
        app.Map("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/redirect-to", (HttpContext c) =>
        {
            int status = int.TryParse(c.Request.Query["status_code"], out int s) ? s : 302;
            c.Response.StatusCode = status;
            c.Response.Headers.Location = c.Request.Query["url"].ToString();
            return Task.CompletedTask;
        });
        app.MapGet("/relative-redirect/{n:int}", (int n) => Results.Redirect(n <= 1 ? "/get" : $"/relative-redirect/{n - 1}"));
        app.MapGet("/absolute-redirect/{n:int}", (HttpContext c, int n) => Results.Redirect($"{c.Request.Scheme}://{c.Request.Host}{(n <= 1 ? "/get" : $"/absolute-redirect/{n - 1}")}"));
        app.Map("/delay/{seconds:double}", async (HttpContext c, double seconds) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, 60)), c.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { args = Args(c), headers = Headers(c), url = FullUrl(c) });
        });
        foreach (string method in new[] { "post", "put", "patch", "delete" })
        {
            app.MapMethods($"/{method}", [method.ToUpperInvariant()], EchoAsync);
        }

        app.Map("/anything/{**rest}", EchoAsync);
        app.MapGet("/gzip", async (HttpContext c) =>
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(new { gzipped = true, headers = Headers(c) });
            c.Response.ContentType = "application/json";
            c.Response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(c.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync(json, c.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/encoding/utf8", () => Results.Text("<h1>Unicode Demo</h1><p>Ünïcödé — ∮ E⋅da = Q, 日本語, 🙂</p>", "text/html; charset=utf-8", Encoding.UTF8));
        app.MapGet("/encoding/latin1", () => Results.Bytes(Encoding.Latin1.GetBytes("café, naïve, señor"), "text/plain; charset=iso-8859-1"));
        app.MapGet("/basic-auth/{user}/{password}", (HttpContext c, string user, string password) =>
        {
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
            return c.Request.Headers.Authorization == expected ? Results.Json(new { authenticated = true, user }) : Results.StatusCode(401);
        });
        app.MapGet("/bearer", (HttpContext c) =>
        {
            string auth = c.Request.Headers.Authorization.ToString();
            return auth.StartsWith("Bearer ", StringComparison.Ordinal) ? Results.Json(new { authenticated = true, token = auth[7..] }) : Results.StatusCode(401);
        });
        MapBodies(app);
        MapCookies(app);
        MapFaults(app);
        MapTelemetry(app);
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    private static async Task EchoAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string data = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        object? json = null;
        Dictionary<string, string>? form = null;
        string contentType = context.Request.ContentType ?? string.Empty;
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && data.Length > 0)
        {
            json = JsonSerializer.Deserialize<JsonElement>(data);
        }
        else if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(data).ToDictionary(p => p.Key, p => p.Value.ToString());
        }

        await context.Response.WriteAsJsonAsync(new
        {
            method = context.Request.Method,
            args = Args(context),
            headers = Headers(context),
            url = FullUrl(context),
            data,
            json,
            form = form ?? [],
        }, context.RequestAborted).ConfigureAwait(false);
    }

    private static Dictionary<string, string> Args(HttpContext context) =>
        context.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString());

    private static Dictionary<string, string> Headers(HttpContext context) =>
        context.Request.Headers.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    private static string FullUrl(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
}
