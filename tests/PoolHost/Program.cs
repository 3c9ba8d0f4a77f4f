using System.Globalization;
using ProcessFutures;

// Starts a pool of N workers, prints their pids once all are ready, then waits (at most five
// minutes) to be killed. Used by the tests to prove that workers do not outlive their parent.
int workers = int.Parse(args[0], CultureInfo.InvariantCulture);
await using var pool = new ProcessPoolExecutor(workers);
using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
while (pool.WorkerProcessIds.Count < workers)
{
    await Task.Delay(10, limit.Token);
}

Console.WriteLine($"workers {string.Join(',', pool.WorkerProcessIds)}");
await Task.Delay(TimeSpan.FromMinutes(5));
return 0;
