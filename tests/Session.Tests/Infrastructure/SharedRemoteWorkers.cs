using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>
/// Two remote workers (127.0.0.2 and 127.0.0.3) for the behavioural suite, started once, on first
/// use, and stopped with the test run. Each runs in a mount namespace of its own where it can
/// (<see cref="RemoteWorkerProcess.CanIsolate"/>), so that a request that opened a path on the
/// worker's disk instead of the caller's would fail the test, as it would across machines.
/// </summary>
internal static class SharedRemoteWorkers
{
    public const int Count = 2;

    public const string Token = "shared-remote-token-0123456789";

    private static readonly Lock s_lock = new();
    private static Task<(TestCertificate Certificate, RemoteWorkerProcess[] Workers)>? s_started;

    /// <summary>An executor on the shared workers; it waits for them if they are still starting.</summary>
    public static RemoteWorkerExecutor Executor(int concurrencyPerWorker, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        (TestCertificate certificate, RemoteWorkerProcess[] workers) = StartedAsync().GetAwaiter().GetResult();
        return new RemoteWorkerExecutor(
            "static:///" + string.Join(',', workers.Select(w => w.Endpoint)),
            new RemoteWorkerOptions { Token = Token, TrustedCertificate = certificate.Certificate, ConcurrencyPerWorker = concurrencyPerWorker, LoggerFactory = logs ?? TestLogging.Factory, MeterFactory = meterFactory });
    }

    /// <summary>The shared workers, started on first use.</summary>
    public static async Task<RemoteWorkerProcess[]> WorkersAsync() => (await StartedAsync()).Workers;

    internal static async Task StopAsync()
    {
        Task<(TestCertificate, RemoteWorkerProcess[])>? started;
        lock (s_lock)
        {
            started = s_started;
            s_started = null;
        }

        if (started is null)
        {
            return;
        }

        (TestCertificate certificate, RemoteWorkerProcess[] workers) = await started;
        foreach (RemoteWorkerProcess worker in workers)
        {
            await worker.DisposeAsync();
        }

        certificate.Dispose();
    }

    private static Task<(TestCertificate Certificate, RemoteWorkerProcess[] Workers)> StartedAsync()
    {
        lock (s_lock)
        {
            return s_started ??= StartAsync();
        }
    }

    private static async Task<(TestCertificate, RemoteWorkerProcess[])> StartAsync()
    {
        var certificate = new TestCertificate();
        RemoteWorkerProcess[] workers = await Task.WhenAll(
            new[] { "127.0.0.2", "127.0.0.3" }.Select(address => RemoteWorkerProcess.StartAsync(address, certificate, Token, isolated: RemoteWorkerProcess.CanIsolate)));
        return (certificate, workers);
    }
}
