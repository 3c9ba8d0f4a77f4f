using System.Runtime.Serialization;
using HttpBin;
using Quickstart;
using ProcessFutures;

// Everything runs against a local httpbin-like server: no internet needed.
await using HttpBinServer server = await HttpBinServer.StartAsync();
Console.WriteLine($"Quickstart: local test server at {server.BaseAddress}; this process is {Environment.ProcessId}.");

// 1. requests-futures' first example: two requests start at once; await each when needed.
await using (var session = new FuturesSession())
{
    Task<Response> futureOne = session.GetAsync(server.Url("/get"));
    Task<Response> futureTwo = session.GetAsync(server.Url("/get?foo=bar"));
    Response responseOne = await futureOne;
    Console.WriteLine($"\n[thread pool] response one status: {responseOne.StatusCode}, served by process {responseOne.ProcessId}");
    Response responseTwo = await futureTwo;
    Console.WriteLine($"[thread pool] response two status: {responseTwo.StatusCode}, args: {responseTwo.Json().GetProperty("args")}");

    // 2. Working in the background: the callback parses the JSON on the executor's thread.
    Dictionary<string, string> parsed = await session.GetAsync(server.Url("/get?parsed=in-background"), Callbacks.ParseArgs);
    Console.WriteLine($"[thread pool] background callback parsed: {string.Join(", ", parsed.Select(p => $"{p.Key}={p.Value}"))}");
}

// 3. An executor given at construction (shareable, not owned by the session).
await using (var threads = new ThreadPoolExecutor(maxWorkers: 10))
await using (var session = new FuturesSession(threads))
{
    Response[] all = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => session.GetAsync(server.Url($"/get?i={i}"))));
    Console.WriteLine($"[thread pool of {threads.MaxWorkers}] {all.Length} requests, statuses: {string.Join(' ', all.Select(r => r.StatusCode))}");
}

// 4. The swap: the same calls, now run by 2 worker processes; the callbacks run inside them.
await using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
await using (var session = new FuturesSession(pool))
{
    Task<Response> futureOne = session.GetAsync(server.Url("/get"));
    Task<Response> futureTwo = session.GetAsync(server.Url("/get?foo=bar"));
    Response responseOne = await futureOne;
    Response responseTwo = await futureTwo;
    Console.WriteLine($"\n[process pool] workers: {string.Join(", ", pool.WorkerProcessIds)}");
    Console.WriteLine($"[process pool] response one status: {responseOne.StatusCode}, served by worker process {responseOne.ProcessId}");
    Console.WriteLine($"[process pool] response two status: {responseTwo.StatusCode}, served by worker process {responseTwo.ProcessId}");

    Dictionary<string, string> parsed = await session.GetAsync(server.Url("/get?parsed=in-a-worker"), Callbacks.ParseArgs);
    Console.WriteLine($"[process pool] callback parsed in a worker: {string.Join(", ", parsed.Select(p => $"{p.Key}={p.Value}"))}");

    // A 32 MiB body is hashed where it was downloaded: only the digest crosses back.
    Digest digest = await session.GetAsync(server.Url("/bytes/33554432?seed=7"), Callbacks.Sha256);
    Console.WriteLine($"[process pool] {digest.Length} bytes hashed in worker process {digest.ComputedInProcess}: sha256 {digest.Sha256}");

    // A lambda cannot cross to another process: refused at the call, before anything is sent.
    try
    {
        _ = session.GetAsync(server.Url("/get"), response => response.StatusCode);
    }
    catch (SerializationException exception)
    {
        Console.WriteLine($"[process pool] a lambda is refused: {exception.Message}");
    }
}

Console.WriteLine("\nDone.");
