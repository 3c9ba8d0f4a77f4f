using System.Collections.Concurrent;
using System.Security.Cryptography;
using HttpBin;
using ProcessFutures;

namespace Session.Tests.Infrastructure;

/// <summary>
/// The downloads of a chaos run, each to a file of its own, and the check that their tasks told
/// the truth: a task that succeeded has its complete file at its destination; a task that failed
/// or was cancelled left no file there, at any moment after it ended; and no temporary file is left.
/// </summary>
internal sealed class DownloadLedger(string directory)
{
    private const int Length = 300_000;

    private readonly ConcurrentBag<(string Path, int Seed, Task<Response> Task)> _downloads = [];
    private int _next;

    public string Directory { get; } = directory;

    /// <summary>Submits a download of <see cref="Length"/> bytes to a new file, cancelled after <paramref name="cancelAfterMilliseconds"/> if given.</summary>
    public Task<Response> Submit(FuturesSession session, int? cancelAfterMilliseconds, List<CancellationTokenSource> cancellations)
    {
        int seed = Interlocked.Increment(ref _next);
        string path = Path.Combine(Directory, $"d{seed}.bin");
        CancellationToken token = default;
        if (cancelAfterMilliseconds is int after)
        {
            var cancellation = new CancellationTokenSource(after);
            cancellations.Add(cancellation);
            token = cancellation.Token;
        }

        Task<Response> task = session.GetAsync(TestServer.Url($"/bytes/{Length}?seed={seed}"), new RequestOptions { DownloadTo = path }, token);

        // The moment the task ends, the file must already be there (success) or not be (failure).
        _ = task.ContinueWith(
            static (ended, state) => ((DownloadLedger)state!).CheckAtEnd((Task<Response>)ended),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _downloads.Add((path, seed, task));
        return task;
    }

    /// <summary>What went wrong at the moment tasks ended.</summary>
    public ConcurrentQueue<string> AtEnd { get; } = new();

    /// <summary>Checks every download once everything settled: the rule, still true; and no temporary file left.</summary>
    public List<string> Violations()
    {
        var violations = new List<string>(AtEnd);
        int succeeded = 0;
        foreach ((string path, int seed, Task<Response> task) in _downloads)
        {
            bool exists = File.Exists(path);
            if (task.IsCompletedSuccessfully)
            {
                succeeded++;
                if (!exists || Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) != DeterministicBytes.Sha256Hex(Length, (ulong)seed))
                {
                    violations.Add($"{Path.GetFileName(path)}: the task succeeded, but the file is {(exists ? "wrong" : "missing")}");
                }
            }
            else if (exists)
            {
                violations.Add($"{Path.GetFileName(path)}: the task {(task.IsCanceled ? "was cancelled" : "failed")}, yet the file is there (it appeared after the task ended)");
            }
        }

        if (succeeded == 0)
        {
            violations.Add("no download succeeded: the run checked nothing");
        }

        return violations;
    }

    /// <summary>The temporary files still there (each disappears when its call ends in the pool).</summary>
    public string[] Leftovers() => System.IO.Directory.GetFiles(Directory, "*.partial");

    private void CheckAtEnd(Task<Response> task)
    {
        string path = task.IsCompletedSuccessfully ? task.Result.DownloadPath! : string.Empty;
        if (task.IsCompletedSuccessfully && !File.Exists(path))
        {
            AtEnd.Enqueue($"{Path.GetFileName(path)}: the task succeeded before its file was in place");
        }
    }
}
