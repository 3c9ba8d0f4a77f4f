using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Session.Tests.Infrastructure;

/// <summary>
/// A worker in remote mode, started by a test as a machine would run it: its own process,
/// listening with TLS on one loopback address (127.0.0.2, 127.0.0.3 …: the whole 127/8 is local),
/// a certificate made for the test, a token required. Killed (SIGKILL) or stopped (SIGTERM) by the test.
/// Isolated (<see cref="CanIsolate"/>), it runs in a mount namespace of its own with a private tmpfs
/// over /tmp: the files the test makes there are not on its disk, as on another machine.
/// </summary>
public sealed class RemoteWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private RemoteWorkerProcess(Process process, string address, int port)
    {
        _process = process;
        Address = address;
        Port = port;
    }

    public string Address { get; }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Endpoint => $"{Address}:{Port}";

    public string Output => string.Join(Environment.NewLine, _output);

    private static readonly Lazy<string?> s_isolationProblem = new(FindIsolationProblem);

    /// <summary>Whether a worker can run in a mount namespace of its own (unshare, as root); null when it can, else why not.</summary>
    public static string? IsolationProblem => s_isolationProblem.Value;

    public static bool CanIsolate => IsolationProblem is null;

    /// <summary>Starts a remote worker on <paramref name="address"/> (a free port, or <paramref name="port"/>), and waits for its ready line.</summary>
    public static async Task<RemoteWorkerProcess> StartAsync(string address, TestCertificate certificate, string token, int port = 0, IDictionary<string, string>? environment = null, bool isolated = false)
    {
        port = port == 0 ? FreePort(address) : port;
        string app = Path.Combine(AppContext.BaseDirectory, "Session.Tests");
        var startInfo = new ProcessStartInfo(isolated ? "unshare" : Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (isolated)
        {
            // A private tmpfs over /tmp, then the worker itself (exec: the pid is the worker's). A
            // build under /tmp (a clone there) is bound back in from the directory the shell
            // stood in before the tmpfs hid it: the worker sees its own files, not the caller's.
            startInfo.Environment["PROCESSFUTURES_TEST_APP"] = AppContext.BaseDirectory.TrimEnd('/');
            const string Isolate = "cd \"$PROCESSFUTURES_TEST_APP\" && mount -t tmpfs processfutures-isolated /tmp && " +
                "case \"$PROCESSFUTURES_TEST_APP\" in /tmp/*) mkdir -p \"$PROCESSFUTURES_TEST_APP\" && mount --no-canonicalize --bind . \"$PROCESSFUTURES_TEST_APP\";; esac && " +
                "cd / && exec \"$0\" \"$@\"";
            foreach (string argument in new[] { "--mount", "--propagation", "private", "sh", "-c", Isolate, Environment.ProcessPath! })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in new[] { "exec", "--runtimeconfig", app + ".runtimeconfig.json", "--depsfile", app + ".deps.json", Path.Combine(AppContext.BaseDirectory, "ProcessFutures.dll"), "--remote" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PROCESSFUTURES_TOKEN"] = token;
        startInfo.Environment["PROCESSFUTURES_LISTEN"] = $"https://{address}:{port}";
        startInfo.Environment["PROCESSFUTURES_CERTIFICATE"] = certificate.CertificatePath;
        startInfo.Environment["PROCESSFUTURES_CERTIFICATE_KEY"] = certificate.KeyPath;
        startInfo.Environment["PROCESSFUTURES_DRAIN_SECONDS"] = "5";
        // Killed on purpose by some tests: no debugger pipes or diagnostics socket to leave in /tmp.
        startInfo.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var worker = new RemoteWorkerProcess(process, address, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                worker._output.Enqueue(line);
                if (line.StartsWith("processfutures-worker-ready", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                worker._output.Enqueue(line);
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The remote worker on {address}:{port} exited before it was ready: {worker.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return worker;
    }

    /// <summary>Starts a remote worker that is expected to refuse to start; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IDictionary<string, string> environment)
    {
        string app = Path.Combine(AppContext.BaseDirectory, "Session.Tests");
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "exec", "--runtimeconfig", app + ".runtimeconfig.json", "--depsfile", app + ".deps.json", Path.Combine(AppContext.BaseDirectory, "ProcessFutures.dll"), "--remote" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (string variable in new[] { "PROCESSFUTURES_TOKEN", "PROCESSFUTURES_TOKEN_FILE", "PROCESSFUTURES_LISTEN", "PROCESSFUTURES_CERTIFICATE", "PROCESSFUTURES_CERTIFICATE_KEY" })
        {
            startInfo.Environment.Remove(variable);
        }

        foreach ((string name, string value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using Process process = Process.Start(startInfo)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await error);
    }

    public void Kill() => _process.Kill();

    /// <summary>Sends SIGTERM, as Kubernetes does to a pod it scales down.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit(5000);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static string? FindIsolationProblem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "mount namespaces are Linux's";
        }

        try
        {
            var check = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs processfutures-check /tmp"]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using Process process = Process.Start(check)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit(10_000);
            return process.ExitCode == 0 ? null : $"unshare --mount failed ({error.Trim()}): it needs root or user namespaces";
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"unshare is not installed ({exception.Message})";
        }
    }

    private static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A self-signed certificate for the loopback addresses and localhost, as PEM files in a directory
/// of its own beside the test assembly (not under /tmp, which an isolated worker does not see).
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _directory;

    public TestCertificate()
    {
        _directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, $"tls-{Guid.NewGuid():N}")).FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=processfutures-test-worker", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        for (int i = 1; i <= 30; i++)
        {
            names.AddIpAddress(IPAddress.Parse($"127.0.0.{i}"));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        CertificatePath = Path.Combine(_directory, "tls.crt");
        KeyPath = Path.Combine(_directory, "tls.key");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
