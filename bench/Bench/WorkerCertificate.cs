using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bench;

/// <summary>
/// A self-signed ECDSA (P-256) certificate for the remote workers, made for this run: its names
/// are the IP addresses the workers listen on (the client checks them against the hosts of a
/// <c>static:///</c> target), and it is written as PEM files in a temporary directory, deleted on disposal.
/// </summary>
internal sealed class WorkerCertificate : IDisposable
{
    private readonly string _directory;

    public WorkerCertificate(IEnumerable<string> addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=processfutures-bench-worker", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string address in addresses)
        {
            names.AddIpAddress(IPAddress.Parse(address));
        }

        request.CertificateExtensions.Add(names.Build());

        // Its own authority: the client builds a chain to it as the one trusted root.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        _directory = Directory.CreateTempSubdirectory("processfutures-bench-tls-").FullName;
        CertificatePath = Path.Combine(_directory, "tls.crt");
        KeyPath = Path.Combine(_directory, "tls.key");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The certificate (public part), for <c>RemoteWorkerOptions.TrustedCertificate</c>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>PEM, for <c>PROCESSFUTURES_CERTIFICATE</c>.</summary>
    public string CertificatePath { get; }

    /// <summary>PEM (PKCS#8), for <c>PROCESSFUTURES_CERTIFICATE_KEY</c>.</summary>
    public string KeyPath { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
