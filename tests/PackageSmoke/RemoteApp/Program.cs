// Program.cs of the app the package smoke test makes with 'dotnet new console' on the package
// ProcessFutures.Remote (see ../run.sh). One app is both sides, as a user's worker host and client
// may be: started with '--remote' it is a remote worker (RunWorkerIfRequested never returns then);
// started plainly it serves a body on 127.0.0.1, makes a self-signed certificate for 127.0.0.2,
// starts itself as a remote worker there, and has a RemoteWorkerExecutor
//   1. run a GET whose callback (SmokeCallbacks.Digest, SmokeShared.cs: this app's own) runs in
//      the worker's process, and
//   2. run a GET with RequestOptions.DownloadTo a path on the caller's side: the file must arrive
//      there whole, with no temporary file left beside it,
// then stops the worker with SIGTERM. Exit 0 ("smoke: OK") only when all of that held.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ProcessFutures;

ProcessPoolExecutor.RunWorkerIfRequested(args);

const string Address = "127.0.0.2";
const int Sigterm = 15;
var failures = new List<string>();
void Check(bool condition, string what)
{
    Console.WriteLine($"smoke: {(condition ? "ok" : "FAILED")}: {what}");
    if (!condition)
    {
        failures.Add(what);
    }
}

// More than one chunk of the remote stream (each under 85,000 bytes), and not a round number.
byte[] body = RandomNumberGenerator.GetBytes((3 * 1024 * 1024) + 7);
string expected = Convert.ToHexStringLower(SHA256.HashData(body));
using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
_ = Task.Run(() => SmokeServer.ServeAsync(listener, body));
string url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/bytes";

DirectoryInfo temporary = Directory.CreateTempSubdirectory("processfutures-remote-smoke-");
Process? worker = null;
var workerOutput = new ConcurrentQueue<string>();
try
{
    // The worker's TLS: a self-signed certificate that names the address the target names (an IP SAN).
    string certificatePath = Path.Combine(temporary.FullName, "tls.crt");
    string keyPath = Path.Combine(temporary.FullName, "tls.key");
    using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
    {
        var request = new CertificateRequest("CN=processfutures-smoke-worker", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(Address));
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    int port;
    using (var probe = new TcpListener(IPAddress.Parse(Address), 0))
    {
        probe.Start();
        port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    // This app again, as a remote worker: its apphost, or 'dotnet RemoteApp.dll' when run that way.
    string self = Environment.ProcessPath ?? throw new InvalidOperationException("Environment.ProcessPath is null.");
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(SmokeResult).Assembly.Location);
    }

    start.ArgumentList.Add("--remote");
    string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    start.Environment["PROCESSFUTURES_TOKEN"] = token;
    start.Environment["PROCESSFUTURES_LISTEN"] = $"https://{Address}:{port}";
    start.Environment["PROCESSFUTURES_CERTIFICATE"] = certificatePath;
    start.Environment["PROCESSFUTURES_CERTIFICATE_KEY"] = keyPath;
    start.Environment["PROCESSFUTURES_DRAIN_SECONDS"] = "5";

    var clock = Stopwatch.StartNew();
    var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    worker = new Process { StartInfo = start, EnableRaisingEvents = true };
    worker.OutputDataReceived += (_, e) =>
    {
        if (e.Data is { } line)
        {
            workerOutput.Enqueue(line);
            if (line.StartsWith("processfutures-worker-ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
    };
    worker.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is { } line)
        {
            workerOutput.Enqueue(line);
        }
    };
    worker.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The remote worker exited before it said it was ready."));
    worker.Start();
    worker.BeginOutputReadLine();
    worker.BeginErrorReadLine();
    await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    Console.WriteLine($"smoke: remote worker {worker.Id} ({string.Join(' ', start.ArgumentList.Prepend(self))}) on {Address}:{port}, ready in {clock.ElapsedMilliseconds} ms");

    string target = $"static:///{Address}:{port}";
    clock.Restart();
    await using (var executor = new RemoteWorkerExecutor(target, new RemoteWorkerOptions { Token = token, TrustedCertificateFile = certificatePath }))
    await using (var session = new FuturesSession(executor))
    {
        SmokeResult result = await session.GetAsync(url, SmokeCallbacks.Digest).WaitAsync(TimeSpan.FromSeconds(120));
        Console.WriteLine($"smoke: first response {clock.ElapsedMilliseconds} ms after creating the executor ({target})");
        Console.WriteLine($"smoke: callback ran in process {result.ProcessId}, app is {Environment.ProcessId}, worker is {worker.Id}; {result.Length} bytes, sha256 {result.Sha256}");
        Check(result.ProcessId == worker.Id && result.ProcessId != Environment.ProcessId, "the app's own callback ran in the remote worker's process");
        Check(result.Length == body.Length && result.Sha256 == expected, "the callback saw the whole body");

        // The caller's path: the worker streams the body back and the caller writes it here.
        string downloads = Directory.CreateDirectory(Path.Combine(temporary.FullName, "downloads")).FullName;
        string destination = Path.Combine(downloads, "body.bin");
        using (Response response = await session.GetAsync(url, new RequestOptions { DownloadTo = destination }).WaitAsync(TimeSpan.FromSeconds(120)))
        {
            Console.WriteLine($"smoke: DownloadTo: status {response.StatusCode}, requested by process {response.ProcessId}, DownloadPath {response.DownloadPath}");
            Check(response.StatusCode == 200 && response.ProcessId == worker.Id && response.DownloadPath == destination, "the download ran in the remote worker and names the caller's path");
        }

        string saved = File.Exists(destination) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(destination))) : "(no file)";
        Console.WriteLine($"smoke: {destination}: sha256 {saved}, expected {expected}");
        Check(saved == expected, "the file is on the caller's disk, whole");
        string[] inFolder = [.. Directory.EnumerateFileSystemEntries(downloads, "*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true }).Select(path => Path.GetFileName(path))];
        Check(inFolder is ["body.bin"], $"nothing else in the destination's folder ({string.Join(", ", inFolder)})");
    }

    // Stopped as a container is: SIGTERM, then the worker drains and exits by itself.
    clock.Restart();
    Check(Kill(worker.Id, Sigterm) == 0, "SIGTERM sent to the remote worker");
    bool exited = worker.WaitForExit(TimeSpan.FromSeconds(30));
    Console.WriteLine($"smoke: the remote worker {(exited ? $"exited with code {worker.ExitCode}" : "did not exit")} {clock.ElapsedMilliseconds} ms after SIGTERM");
    Check(exited && worker.ExitCode == 0, "the remote worker stopped on SIGTERM, with exit code 0");
}
catch (Exception exception)
{
    failures.Add($"{exception.GetType().Name}: {exception.Message}");
    Console.WriteLine($"smoke: {exception}");
}
finally
{
    if (worker is not null)
    {
        if (!worker.HasExited)
        {
            worker.Kill(entireProcessTree: true);
            worker.WaitForExit(TimeSpan.FromSeconds(10));
        }

        worker.WaitForExit(); // the last lines of its output
        foreach (string line in workerOutput)
        {
            Console.WriteLine($"worker| {line}");
        }

        worker.Dispose();
    }

    temporary.Delete(recursive: true);
}

Console.WriteLine(failures.Count == 0 ? "smoke: OK" : $"smoke: FAILED: {string.Join("; ", failures)}");
return failures.Count == 0 ? 0 : 1;

[DllImport("libc", EntryPoint = "kill", SetLastError = true)]
static extern int Kill(int pid, int signal);
