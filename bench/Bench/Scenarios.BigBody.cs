using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using HttpBin;
using ProcessFutures;

namespace Bench;

/// <summary>
/// Big bodies (4 GiB; 64 MiB in a quick run), one at a time, each way a user can take one: raw
/// HttpClient copying it to a file, DownloadTo through each executor, a streaming hash in a
/// worker, and the caller reading a streamed body through the pool. Every file is deleted after
/// its case (a 4 GiB file each). Raw HttpClient runs first and again last, and the ratios are to
/// the faster of the two: writing 4 GiB leaves the page cache's write-back in a different state
/// for each case, and the baseline must not be the unlucky one.
/// </summary>
internal sealed partial class Scenarios
{
    public const string BigRaw = "HttpClient (raw), CopyToAsync to a file";
    public const string BigRawAgain = "HttpClient (raw), CopyToAsync to a file, again last";
    public const string BigProcessDownload = "ProcessPoolExecutor, DownloadTo";
    public const string BigThreadDownload = "ThreadPoolExecutor, DownloadTo";
    public const string BigProcessHash = "ProcessPoolExecutor, Stream + SHA-256 callback in the worker";
    public const string BigCallerStream = "ProcessPoolExecutor, Stream, caller reads ContentStream";

    private const ulong BigBodySeed = 9;
    private const int BigWarmUpLength = 1024 * 1024;
    private static readonly TimeSpan s_bigBodyTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan s_bigBodySampling = TimeSpan.FromMilliseconds(50);

    public async Task<List<BigBodyResult>> BigBodyAsync()
    {
        long length = _settings.BigBodyLength;
        string url = _server.Url(string.Create(CultureInfo.InvariantCulture, $"/bytes/{length}?seed={BigBodySeed}"));
        string warmUrl = _server.Url(string.Create(CultureInfo.InvariantCulture, $"/bytes/{BigWarmUpLength}?seed={BigBodySeed}"));
        Progress($"big body: SHA-256 of the expected {length:N0} bytes");
        string expected = DeterministicBytes.Sha256Hex(length, BigBodySeed);
        string directory = Directory.CreateTempSubdirectory("processfutures-bench-").FullName;
        try
        {
            var context = new BigBodyContext(url, warmUrl, expected, length, directory);
            List<BigBodyResult> results =
            [
                await BigRawAsync(context, BigRaw),
                await BigProcessDownloadAsync(context),
                await BigThreadDownloadAsync(context),
                await BigProcessHashAsync(context),
                await BigCallerStreamAsync(context),
                await BigRawAsync(context, BigRawAgain),
            ];
            double raw = results.Where(r => r.Case is BigRaw or BigRawAgain && r.Errors == 0).Select(r => r.MegabytesPerSecond).DefaultIfEmpty(double.NaN).Max();
            return [.. results.Select(r => r with { MegabytesPerSecondVsRaw = r.MegabytesPerSecond / raw })];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static RequestOptions BigOptions(string? downloadTo = null, bool stream = false) =>
        new() { DownloadTo = downloadTo, Stream = stream, Timeout = s_bigBodyTimeout };

    private static ProcessPoolExecutor BigPool() => new(1, new ProcessPoolOptions { ConcurrencyPerWorker = 1 });

    private async Task<BigBodyResult> BigRawAsync(BigBodyContext context, string name)
    {
        using HttpClient client = LoadSubject.CreateRawClient(s_bigBodyTimeout);
        string file = context.File("raw");
        await RawToFileAsync(client, context.WarmUrl, file);
        return await MeasureBigAsync(name, "1 HttpClient, ResponseHeadersRead, File.Create", context, workerIds: null, file, async () =>
        {
            await RawToFileAsync(client, context.Url, file);
            return null;
        });
    }

    private static async Task RawToFileAsync(HttpClient client, string url, string file)
    {
        using HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using FileStream stream = File.Create(file);
        await response.Content.CopyToAsync(stream);
    }

    private async Task<BigBodyResult> BigProcessDownloadAsync(BigBodyContext context)
    {
        await using ProcessPoolExecutor pool = BigPool();
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        string file = context.File("process");
        await DownloadToAsync(session, context.WarmUrl, file);
        return await MeasureBigAsync(BigProcessDownload, "1 worker, RequestOptions.DownloadTo", context, () => pool.WorkerProcessIds, file, async () =>
        {
            await DownloadToAsync(session, context.Url, file);
            return null;
        });
    }

    private async Task<BigBodyResult> BigThreadDownloadAsync(BigBodyContext context)
    {
        await using var threads = new ThreadPoolExecutor(1);
        await using var session = new FuturesSession(threads, options: LoadSubject.SessionOptions());
        string file = context.File("thread");
        await DownloadToAsync(session, context.WarmUrl, file);
        return await MeasureBigAsync(BigThreadDownload, "ThreadPoolExecutor(1), RequestOptions.DownloadTo", context, workerIds: null, file, async () =>
        {
            await DownloadToAsync(session, context.Url, file);
            return null;
        });
    }

    private static async Task DownloadToAsync(FuturesSession session, string url, string file)
    {
        using Response response = await session.GetAsync(url, BigOptions(downloadTo: file));
        response.EnsureSuccessStatusCode();
        if (response.DownloadPath != file)
        {
            throw new InvalidDataException($"The response says the body went to '{response.DownloadPath}'; it was asked to go to '{file}'.");
        }
    }

    private async Task<BigBodyResult> BigProcessHashAsync(BigBodyContext context)
    {
        await using ProcessPoolExecutor pool = BigPool();
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        await session.GetAsync(context.WarmUrl, Callbacks.Sha256StreamAsync, BigOptions(stream: true));
        return await MeasureBigAsync(BigProcessHash, "1 worker, RequestOptions.Stream, Callbacks.Sha256StreamAsync (IncrementalHash, 64 KiB reads)", context, () => pool.WorkerProcessIds, file: null, async () =>
            await session.GetAsync(context.Url, Callbacks.Sha256StreamAsync, BigOptions(stream: true)));
    }

    private async Task<BigBodyResult> BigCallerStreamAsync(BigBodyContext context)
    {
        await using ProcessPoolExecutor pool = BigPool();
        await using var session = new FuturesSession(pool, options: LoadSubject.SessionOptions());
        await StreamToCallerAsync(session, context.WarmUrl);
        return await MeasureBigAsync(BigCallerStream, "1 worker, RequestOptions.Stream, the caller hashes ContentStream (64 KiB reads)", context, () => pool.WorkerProcessIds, file: null, async () =>
            await StreamToCallerAsync(session, context.Url));
    }

    private static async Task<string> StreamToCallerAsync(FuturesSession session, string url)
    {
        await using Response response = await session.GetAsync(url, BigOptions(stream: true));
        response.EnsureSuccessStatusCode();
        return await Callbacks.HashAsync(response.ContentStream, CancellationToken.None);
    }

    /// <summary>
    /// Times <paramref name="downloadAsync"/> (which returns the body's SHA-256, or null when it
    /// wrote <paramref name="file"/>), sampling memory every 50 ms and reading CPU at both ends;
    /// then checks the hash (of the file, outside the timing) and deletes the file.
    /// </summary>
    private async Task<BigBodyResult> MeasureBigAsync(string name, string setup, BigBodyContext context, Func<IReadOnlyList<int>>? workerIds, string? file, Func<Task<string?>> downloadAsync)
    {
        Progress($"big body: {name}");
        long idle = RssSampler.ClientIdleBytes();
        using var sampler = new RssSampler(workerIds, s_bigBodySampling, keepSeries: true);
        CpuSnapshot before = CpuSnapshot.Take(_server.ProcessId, workerIds);
        long start = Stopwatch.GetTimestamp();
        string? hash = null;
        string? error = null;
        try
        {
            hash = await downloadAsync().WaitAsync(s_bigBodyTimeout);
        }
        catch (Exception exception)
        {
            error = $"{exception.GetType().Name}: {exception.Message}";
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        CpuSnapshot after = CpuSnapshot.Take(_server.ProcessId, workerIds, before);
        RssPeaks rss = sampler.Stop(idle);
        try
        {
            if (error is null && file is not null)
            {
                hash = await HashFileAsync(file, context.Length);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            error = $"{exception.GetType().Name}: {exception.Message}";
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }

        bool matches = hash == context.Expected;
        if (error is null && !matches)
        {
            error = $"The SHA-256 is '{hash}'; expected '{context.Expected}'.";
        }

        double megabytesPerSecond = error is null ? context.Length / seconds / 1e6 : double.NaN;
        return new BigBodyResult(name, setup, context.Length, error is null ? 0 : 1, error, seconds, megabytesPerSecond, MegabytesPerSecondVsRaw: double.NaN, matches, rss, after.Since(before, 1 / seconds));
    }

    private static async Task<string> HashFileAsync(string file, long expectedLength)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (stream.Length != expectedLength)
        {
            throw new InvalidDataException($"The file '{file}' has {stream.Length:N0} bytes; expected {expectedLength:N0}.");
        }

        byte[] buffer = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>What every big-body case needs: the URLs, the expected hash and length, and where files go.</summary>
    private sealed record BigBodyContext(string Url, string WarmUrl, string Expected, long Length, string Folder)
    {
        public string File(string name) => Path.Combine(Folder, name + ".bin");
    }
}
