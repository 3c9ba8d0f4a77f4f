using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs a worker in remote mode (<c>--remote</c>), for a RemoteWorkerExecutor on other machines:
/// HTTP/2 over TLS only, on <c>PROCESSFUTURES_LISTEN</c>; the token from <c>PROCESSFUTURES_TOKEN</c>
/// or <c>PROCESSFUTURES_TOKEN_FILE</c>, required on every call; the certificate from
/// <c>PROCESSFUTURES_CERTIFICATE</c> and <c>PROCESSFUTURES_CERTIFICATE_KEY</c> (PEM); client
/// certificates signed by <c>PROCESSFUTURES_CLIENT_CA</c> when that is set. Callbacks come from
/// its own directory, by assembly name. On SIGTERM it drains: /healthz answers 503, idle streams
/// end, running requests finish (within <c>PROCESSFUTURES_DRAIN_SECONDS</c>, default 110), then it exits.
/// </summary>
internal static class RemoteWorkerHost
{
    /// <summary>The shortest token a remote worker accepts.</summary>
    public const int MinTokenLength = 16;

    public static int Run(string[] args)
    {
        var problems = new List<string>();
        string? token = Environment.GetEnvironmentVariable(WorkerEnvironment.Token);
        if (string.IsNullOrEmpty(token) && Environment.GetEnvironmentVariable(WorkerEnvironment.TokenFile) is { Length: > 0 } tokenFile)
        {
            token = File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;
            if (token is null)
            {
                problems.Add($"{WorkerEnvironment.TokenFile} names '{tokenFile}', which does not exist.");
            }
        }

        if (string.IsNullOrEmpty(token))
        {
            problems.Add($"No token: set {WorkerEnvironment.Token} or {WorkerEnvironment.TokenFile}; every call must carry it.");
        }
        else if (token.Length < MinTokenLength)
        {
            problems.Add($"The token has {token.Length} characters; a remote worker's token must have at least {MinTokenLength} (a placeholder left in a Secret should fail, not serve).");
        }

        string listen = Environment.GetEnvironmentVariable(WorkerEnvironment.Listen) ?? WorkerEnvironment.DefaultListen;
        if (!Uri.TryCreate(listen, UriKind.Absolute, out Uri? address) || address.Scheme != Uri.UriSchemeHttps || address.Port <= 0)
        {
            problems.Add($"{WorkerEnvironment.Listen} '{listen}' must be an https URL with a port, such as {WorkerEnvironment.DefaultListen}: a remote worker listens with TLS only.");
        }

        string? certificatePath = Environment.GetEnvironmentVariable(WorkerEnvironment.Certificate);
        string? keyPath = Environment.GetEnvironmentVariable(WorkerEnvironment.CertificateKey);
        X509Certificate2? certificate = null;
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            problems.Add($"No certificate: set {WorkerEnvironment.Certificate} and {WorkerEnvironment.CertificateKey} to PEM files (a remote worker serves TLS only).");
        }
        else
        {
            try
            {
                certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            }
            catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                problems.Add($"The certificate '{certificatePath}' with key '{keyPath}' cannot be used: {exception.Message}");
            }
        }

        X509Certificate2? clientAuthority = null;
        if (Environment.GetEnvironmentVariable(WorkerEnvironment.ClientCertificateAuthority) is { Length: > 0 } caPath)
        {
            try
            {
                clientAuthority = X509CertificateLoader.LoadCertificateFromFile(caPath);
            }
            catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                problems.Add($"The client certificate authority '{caPath}' cannot be used: {exception.Message}");
            }
        }

        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"This ProcessFutures worker cannot start in remote mode: {string.Join(" ", problems)}");
            return 2;
        }

        Environment.SetEnvironmentVariable(WorkerEnvironment.Token, null);
        WorkerTelemetry.ExportIfAsked();
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        int drainSeconds = int.TryParse(Environment.GetEnvironmentVariable("PROCESSFUTURES_DRAIN_SECONDS"), out int seconds) && seconds >= 0 ? seconds : 110;
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(drainSeconds));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = null;
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
            IPAddress ip = address!.Host is "0.0.0.0" or "*" or "+" ? IPAddress.Any : address.Host is "[::]" or "::" ? IPAddress.IPv6Any : IPAddress.Parse(address.Host.Trim('[', ']'));
            options.Listen(ip, address.Port, listenOptions =>
            {
                listenOptions.Protocols = HttpProtocols.Http1AndHttp2;
                listenOptions.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (clientAuthority is not null)
                    {
                        // Asked for in the handshake, required on calls (TokenCheck): a kubelet's
                        // readiness probe presents none, and /healthz must still answer it.
                        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                        https.ClientCertificateValidation = (client, _, _) => IsSignedBy(client, clientAuthority);
                    }
                });
            });
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(options =>
        {
            options.EnableDetailedErrors = false;
            options.MaxReceiveMessageSize = WireLimits.MaxMessage;
        });
        builder.Services.AddSingleton<HttpClientCache>();
        builder.Services.AddSingleton(new CallbackRegistry(byNameOnly: true));
        builder.Services.AddSingleton<RequestRunner>();
        builder.Services.AddSingleton(provider => new WorkerLifetime(provider.GetRequiredService<IHostApplicationLifetime>()));

        WebApplication app = builder.Build();
        WorkerLifetime lifetime = app.Services.GetRequiredService<WorkerLifetime>();
        app.Use(new TokenCheck(token!, allowHealth: true, requireClientCertificate: clientAuthority is not null).InvokeAsync);
        app.UseRouting();
        app.MapGet("/healthz", () => lifetime.IsDraining ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("ready"));
        app.MapGrpcService<WorkerService>();
        app.Start();

        Console.Out.WriteLine($"{WorkerEnvironment.ReadyLine} {address}");
        Console.Out.Flush();
        app.WaitForShutdown();
        WorkerTelemetry.Flush();
        return 0;
    }

    private static bool IsSignedBy(X509Certificate2 client, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }
}
