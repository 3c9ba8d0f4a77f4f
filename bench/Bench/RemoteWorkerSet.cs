using System.Security.Cryptography;
using ProcessFutures;

namespace Bench;

/// <summary>
/// The remote workers of one run, on loopback addresses of this machine: one certificate and one
/// token for all, started together, and killed together on disposal. A <see cref="ProcessReaper"/>
/// kills them if the bench ends without disposing this.
/// </summary>
internal sealed class RemoteWorkerSet : IAsyncDisposable
{
    private readonly WorkerCertificate _certificate;
    private readonly ProcessReaper _reaper;
    private readonly string _token;

    private RemoteWorkerSet(WorkerCertificate certificate, ProcessReaper reaper, string token, IReadOnlyList<RemoteWorkerProcess> workers)
    {
        _certificate = certificate;
        _reaper = reaper;
        _token = token;
        Workers = workers;
    }

    public IReadOnlyList<RemoteWorkerProcess> Workers { get; }

    /// <summary>
    /// Starts a worker on each of <paramref name="addresses"/> (in parallel) with
    /// <paramref name="environment"/> added to theirs, and waits until all say they are ready;
    /// on any failure, kills those that started.
    /// </summary>
    public static async Task<RemoteWorkerSet> StartAsync(IReadOnlyList<string> addresses, IReadOnlyDictionary<string, string> environment)
    {
        var certificate = new WorkerCertificate(addresses);
        ProcessReaper? reaper = null;
        var starts = new List<Task<RemoteWorkerProcess>>();
        try
        {
            reaper = ProcessReaper.Start();

            // 32 hex characters; a remote worker refuses a token under 16.
            string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var variables = new Dictionary<string, string>(environment)
            {
                ["PROCESSFUTURES_TOKEN"] = token,
                ["PROCESSFUTURES_CERTIFICATE"] = certificate.CertificatePath,
                ["PROCESSFUTURES_CERTIFICATE_KEY"] = certificate.KeyPath,
            };
            foreach (string address in addresses)
            {
                starts.Add(RemoteWorkerProcess.StartAsync(address, variables, reaper));
            }

            RemoteWorkerProcess[] workers = await Task.WhenAll(starts);
            return new RemoteWorkerSet(certificate, reaper, token, workers);
        }
        catch
        {
            // Every worker that started was given to the reaper at once, whether or not it got as far as its ready line.
            reaper?.KillWatched();
            foreach (Task<RemoteWorkerProcess> start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await start.Result.DisposeAsync();
            }

            certificate.Dispose();
            throw;
        }
    }

    /// <summary><c>static:///</c> with the first <paramref name="count"/> workers.</summary>
    public string Target(int count) => "static:///" + string.Join(',', Workers.Take(count).Select(w => w.Endpoint));

    /// <summary>The pids of the first <paramref name="count"/> workers, for CPU and memory readings.</summary>
    public IReadOnlyList<int> ProcessIds(int count) => [.. Workers.Take(count).Select(w => w.ProcessId)];

    /// <summary>Options for an executor on these workers: their token, their certificate trusted, <paramref name="concurrencyPerWorker"/> streams to each.</summary>
    public RemoteWorkerOptions Options(int concurrencyPerWorker) => new()
    {
        Token = _token,
        TrustedCertificate = _certificate.Certificate,
        ConcurrencyPerWorker = concurrencyPerWorker,
    };

    /// <summary>Kills every worker, then stops the reaper (or, if a worker would not end, lets it kill them) and deletes the certificate's files.</summary>
    public async ValueTask DisposeAsync()
    {
        bool allEnded = true;
        foreach (RemoteWorkerProcess worker in Workers)
        {
            try
            {
                await worker.DisposeAsync();
            }
            catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"The remote worker on {worker.Endpoint} did not end when killed: {exception.Message}");
                allEnded = false;
            }
        }

        if (allEnded)
        {
            _reaper.Dispose();
        }
        else
        {
            _reaper.KillWatched();
        }

        _certificate.Dispose();
    }
}
