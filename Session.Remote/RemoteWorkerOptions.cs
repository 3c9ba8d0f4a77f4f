using System.Diagnostics.Metrics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ProcessFutures;

/// <summary>Settings of a <see cref="RemoteWorkerExecutor"/>. Checked once, by its constructor.</summary>
public sealed class RemoteWorkerOptions
{
    /// <summary>The default of <see cref="ConcurrencyPerWorker"/>: 4.</summary>
    public const int DefaultConcurrencyPerWorker = 4;

    /// <summary>The default of <see cref="ResolveInterval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultResolveInterval = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="UnavailableTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultUnavailableTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="ShutdownTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How many requests one remote worker runs at once (streams to it). Default: <see cref="DefaultConcurrencyPerWorker"/>.</summary>
    public int ConcurrencyPerWorker { get; set; } = DefaultConcurrencyPerWorker;

    /// <summary>
    /// The token every call carries (the workers' <c>PROCESSFUTURES_TOKEN</c>). Default:
    /// <see langword="null"/>: read from <see cref="TokenFile"/>, else from this process's
    /// <c>PROCESSFUTURES_TOKEN</c> or <c>PROCESSFUTURES_TOKEN_FILE</c> environment variables.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>A file holding the token (a mounted secret). Default: <see langword="null"/>.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// The certificate to trust for the workers' TLS: a certificate authority, or a worker's own
    /// (self-signed) certificate. Default: <see langword="null"/>: the system's trust store.
    /// Whichever, the certificate must name the host of the target (<c>dns:///name</c>: the name;
    /// <c>static:///</c>: the host as written).
    /// </summary>
    public X509Certificate2? TrustedCertificate { get; set; }

    /// <summary>A PEM file with the certificate to trust, instead of <see cref="TrustedCertificate"/>. Default: <see langword="null"/>.</summary>
    public string? TrustedCertificateFile { get; set; }

    /// <summary>A client certificate (with its private key), for workers that require one. Default: <see langword="null"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>How often the target is resolved again: new workers get traffic, vanished ones are drained. Default: <see cref="DefaultResolveInterval"/>.</summary>
    public TimeSpan ResolveInterval { get; set; } = DefaultResolveInterval;

    /// <summary>
    /// How long a queued request waits while no worker serves (none resolved, none reachable, none
    /// trusted) before it fails with an <see cref="HttpRequestException"/> that carries the last
    /// connection failure (the socket or TLS error as its inner exception): gRPC's "fail fast
    /// unless wait-for-ready". A request's own timeout, which counts from submission, may end it
    /// first, with the same cause in its message. Default: <see cref="DefaultUnavailableTimeout"/>.
    /// </summary>
    public TimeSpan UnavailableTimeout { get; set; } = DefaultUnavailableTimeout;

    /// <summary>On disposal, how long running requests may take to finish before their connections are dropped. Default: <see cref="DefaultShutdownTimeout"/>.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>Receives the executor's events (workers found, lost, draining). Default: <see langword="null"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the executor's <c>ProcessFutures</c> meter. Default: <see langword="null"/> (it makes its own).</summary>
    public IMeterFactory? MeterFactory { get; set; }

    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (ConcurrencyPerWorker < 1)
        {
            problems.Add($"ConcurrencyPerWorker '{ConcurrencyPerWorker}' must be 1 or more.");
        }

        if (ResolveInterval <= TimeSpan.Zero)
        {
            problems.Add($"ResolveInterval '{ResolveInterval}' must be positive.");
        }

        if (UnavailableTimeout <= TimeSpan.Zero)
        {
            problems.Add($"UnavailableTimeout '{UnavailableTimeout}' must be positive.");
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            problems.Add($"ShutdownTimeout '{ShutdownTimeout}' must be zero or positive.");
        }

        if (TrustedCertificate is not null && TrustedCertificateFile is not null)
        {
            problems.Add("TrustedCertificate and TrustedCertificateFile are both set; set one of them.");
        }

        if (TrustedCertificateFile is { } file && !File.Exists(file))
        {
            problems.Add($"TrustedCertificateFile '{file}' does not exist.");
        }

        if (TokenFile is { } tokenFile && !File.Exists(tokenFile))
        {
            problems.Add($"TokenFile '{tokenFile}' does not exist.");
        }

        return problems;
    }
}
