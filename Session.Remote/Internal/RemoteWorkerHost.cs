using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// Runs a worker in remote mode (<c>--remote</c>), for a RemoteWorkerExecutor on other machines:
/// HTTP/2 over TLS only, on <c>PROCESSFUTURES_LISTEN</c>; the token from <c>PROCESSFUTURES_TOKEN</c>
/// or <c>PROCESSFUTURES_TOKEN_FILE</c>, required on every call; the certificate from
/// <c>PROCESSFUTURES_CERTIFICATE</c> and <c>PROCESSFUTURES_CERTIFICATE_KEY</c> (PEM); client
/// certificates signed by <c>PROCESSFUTURES_CLIENT_CA</c> when that is set. Callbacks come only
/// from the assemblies it ships, by name; it never opens a path a client sends. On SIGTERM it
/// drains: /healthz answers 503, answers say so, running requests finish (within
/// <c>PROCESSFUTURES_DRAIN_SECONDS</c>, default 110), then it exits. It logs (console; level from
/// <c>Logging__LogLevel__Default</c>, Information by default) refused tokens (the caller's address,
/// never the token), drains, requests and callbacks it refused, and clients that went away.
/// </summary>
internal static class RemoteWorkerHost
{
    /// <summary>The shortest token a remote worker accepts.</summary>
    public const int MinTokenLength = 16;

    public static int Run(string[] args)
    {
        var problems = new List<string>();
        string? token = Environment.GetEnvironmentVariable(WorkerEnvironment.Token);
        if (string.IsNullOrEmpty(token) && Environment.GetEnvironmentVariable(RemoteEnvironment.TokenFile) is { Length: > 0 } tokenFile)
        {
            token = File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;
            if (token is null)
            {
                problems.Add($"{RemoteEnvironment.TokenFile} names '{tokenFile}', which does not exist.");
            }
        }

        if (string.IsNullOrEmpty(token))
        {
            problems.Add($"No token: set {WorkerEnvironment.Token} or {RemoteEnvironment.TokenFile}; every call must carry it.");
        }
        else if (token.Length < MinTokenLength)
        {
            problems.Add($"The token has {token.Length} characters; a remote worker's token must have at least {MinTokenLength} (a placeholder left in a Secret should fail, not serve).");
        }

        string listen = Environment.GetEnvironmentVariable(RemoteEnvironment.Listen) ?? RemoteEnvironment.DefaultListen;
        if (!Uri.TryCreate(listen, UriKind.Absolute, out Uri? address) || address.Scheme != Uri.UriSchemeHttps || address.Port <= 0)
        {
            problems.Add($"{RemoteEnvironment.Listen} '{listen}' must be an https URL with a port, such as {RemoteEnvironment.DefaultListen}: a remote worker listens with TLS only.");
        }

        string? certificatePath = Environment.GetEnvironmentVariable(RemoteEnvironment.Certificate);
        string? keyPath = Environment.GetEnvironmentVariable(RemoteEnvironment.CertificateKey);
        X509Certificate2? certificate = null;
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            problems.Add($"No certificate: set {RemoteEnvironment.Certificate} and {RemoteEnvironment.CertificateKey} to PEM files (a remote worker serves TLS only).");
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
        if (Environment.GetEnvironmentVariable(RemoteEnvironment.ClientCertificateAuthority) is { Length: > 0 } caPath)
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
        WorkerServer.ExportTelemetryIfAsked();
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        int drainSeconds = int.TryParse(Environment.GetEnvironmentVariable(RemoteEnvironment.DrainSeconds), out int seconds) && seconds >= 0 ? seconds : RemoteEnvironment.DefaultDrainSeconds;
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
            options.MaxReceiveMessageSize = MessageStream.MaxMessage;
        });
        builder.Services.AddSingleton(provider => new WorkerServer(
            remote: true,
            provider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping,
            provider.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<WorkerGrpcService>();

        WebApplication app = builder.Build();
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProcessFutures.RemoteWorker");
        IHostApplicationLifetime lifetime = app.Lifetime;
        lifetime.ApplicationStopping.Register(() => RemoteHostLog.DrainStarted(logger, drainSeconds));
        lifetime.ApplicationStopped.Register(() => RemoteHostLog.DrainEnded(logger));
        app.Use(new TokenCheck(token!, logger, allowHealth: true, requireClientCertificate: clientAuthority is not null).InvokeAsync);
        app.UseRouting();
        app.MapGet("/healthz", () => lifetime.ApplicationStopping.IsCancellationRequested ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("ready"));
        app.MapGrpcService<WorkerGrpcService>();
        app.Start();

        RemoteHostLog.Listening(logger, address!.ToString());
        Console.Out.WriteLine($"{WorkerEnvironment.ReadyLine} {address}");
        Console.Out.Flush();
        app.WaitForShutdown();
        WorkerServer.FlushTelemetry();
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
