using Session.Tests.Infrastructure;

namespace Session.Tests.Apps;

/// <summary>
/// The library used from outside, as a newcomer would: the quickstart sample, and a console app
/// made with 'dotnet new console' that only adds a reference to Session.Client. Both run a
/// callback of their own in a worker process with no extra set-up step.
/// </summary>
[Category("Slow")]
public sealed class OutsideAppTests
{
    [Test]
    public async Task Quickstart_ShowsBothExecutors_AndItsOwnCallbackRunsInAWorker()
    {
        string root = ProcessRunner.RepositoryRoot();

        (int exitCode, string output) = await ProcessRunner.RunAsync(
            "dotnet", ["run", "--project", Path.Combine(root, "samples", "Quickstart"), "-c", ProcessRunner.Configuration()], root, seconds: 300);

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("[thread pool] response one status: 200"));
        Assert.That(output, Does.Contain("[process pool] response one status: 200, served by worker process"));
        Assert.That(output, Does.Match(@"33554432 bytes hashed in worker process \d+: sha256 [0-9a-f]{64}"));
        Assert.That(output, Does.Contain("a lambda is refused"));
        Assert.That(output, Does.Contain("Done."));
    }

    [Test]
    public async Task FreshConsoleApp_ReferencingSessionClient_RunsItsOwnCallbackInAWorker()
    {
        string root = ProcessRunner.RepositoryRoot();
        string app = Path.Combine(Path.GetTempPath(), $"processfutures-fresh-app-{Guid.NewGuid():N}");
        try
        {
            await Succeed("dotnet", ["new", "console", "--output", app, "--name", "FreshApp", "--framework", "net10.0", "--no-update-check"], root, 120);
            await Succeed("dotnet", ["add", app, "reference", Path.Combine(root, "Session.Client", "Session.Client.csproj")], root, 120);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), FreshProgram);

            string output = await Succeed("dotnet", ["run", "--project", app, "--", TestServer.Url("/bytes/12345")], app, 300);

            Assert.That(output, Does.Match(@"fresh-app: 12345 bytes counted in worker \d+, app is \d+, different: True"));
        }
        finally
        {
            if (Directory.Exists(app))
            {
                Directory.Delete(app, recursive: true);
            }
        }
    }

    [Test]
    public async Task BenchmarkQuick_RunsEveryScenario_WithoutAFailedRequest()
    {
        string root = ProcessRunner.RepositoryRoot();
        string bench = Path.Combine(root, "bench", "Bench", "bin", ProcessRunner.Configuration(), "net10.0", "Bench.dll");
        string json = Path.Combine(Path.GetTempPath(), $"processfutures-bench-{Guid.NewGuid():N}.json");
        try
        {
            // A smoke run: every scenario, every executor, no request may fail. No timing is asserted.
            (int exitCode, string output) = await ProcessRunner.RunAsync(Environment.ProcessPath!, ["exec", bench, "--quick", "--out", json], root, seconds: 180);
            await TestContext.Out.WriteLineAsync(output);

            Assert.That(exitCode, Is.Zero, output);
            using System.Text.Json.JsonDocument report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
            System.Text.Json.JsonElement[] throughput = [.. report.RootElement.GetProperty("Throughput").EnumerateArray()];
            Assert.That(throughput.Select(t => t.GetProperty("Executor").GetString()).Distinct(), Has.Exactly(4).Items, "raw, thread pool, process pool on each transport");
            Assert.That(throughput.Select(t => t.GetProperty("Load").GetProperty("Errors").GetInt64()), Is.All.Zero);
            Assert.That(throughput.Select(t => t.GetProperty("Load").GetProperty("Requests").GetInt64()), Is.All.Positive);
            Assert.That(report.RootElement.GetProperty("Memory").EnumerateArray().Select(m => m.GetProperty("Errors").GetInt64()), Is.All.Zero);
            System.Text.Json.JsonElement remote = report.RootElement.GetProperty("Remote");
            Assert.That(remote.GetProperty("CallbackErrors").GetInt64(), Is.Zero, "the callback ran in the remote workers");
            Assert.That(remote.GetProperty("Throughput").EnumerateArray().Select(t => t.GetProperty("Load").GetProperty("Errors").GetInt64()), Is.All.Zero);
            System.Text.Json.JsonElement[] tracing = [.. report.RootElement.GetProperty("Tracing").EnumerateArray()];
            Assert.That(tracing, Has.Length.EqualTo(3), "each executor, with and without a listener");
            Assert.That(tracing.SelectMany(t => new[] { t.GetProperty("WithoutListener"), t.GetProperty("WithListener") }).Select(r => r.GetProperty("Load").GetProperty("Errors").GetInt64()), Is.All.Zero);
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static async Task<string> Succeed(string fileName, string[] arguments, string directory, double seconds)
    {
        (int exitCode, string output) = await ProcessRunner.RunAsync(fileName, arguments, directory, seconds);
        Assert.That(exitCode, Is.Zero, $"'{fileName} {string.Join(' ', arguments)}' failed:\n{output}");
        return output;
    }

    private const string FreshProgram = """
        using ProcessFutures;

        await using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        await using var session = new FuturesSession(pool);
        Counted counted = await session.GetAsync(args[0], Counting.Count).WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"fresh-app: {counted.Bytes} bytes counted in worker {counted.ProcessId}, app is {Environment.ProcessId}, different: {counted.ProcessId != Environment.ProcessId}");

        public static class Counting
        {
            public static Counted Count(Response response) => new(response.Content.Length, Environment.ProcessId);
        }

        public sealed record Counted(int Bytes, int ProcessId);
        """;
}
