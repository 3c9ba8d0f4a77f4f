using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProcessFutures;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// How the pool starts workers: with the dotnet host of this runtime in a framework-dependent app
/// (this test host is one), and the app itself in a self-contained or single-file app, which
/// must call RunWorkerIfRequested; when no worker can ever start, every request fails at once and
/// nothing is retried. The packaged app runs are in tests/PackageSmoke/run.sh.
/// </summary>
public sealed class WorkerCommandTests
{
    [Test]
    public void Choose_InAFrameworkDependentApp_ExecsTheWorkerWithThisRuntimesHost_AndTheAppsDeps()
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("processfutures-test-");
        try
        {
            WorkerCommand command = WorkerCommand.Choose(new ProcessPoolOptions(), directory.FullName);

            string runtimeRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            string runtimeConfig = Path.Combine(directory.FullName, "worker.runtimeconfig.json");
            Assert.Multiple(() =>
            {
                Assert.That(command.Problem, Is.Null);
                Assert.That(command.RunsApp, Is.False);
                Assert.That(command.FileName, Is.EqualTo(Path.Combine(runtimeRoot, "dotnet")));
                Assert.That(command.Arguments, Is.EqualTo(new[]
                {
                    "exec", "--runtimeconfig", runtimeConfig,
                    "--depsfile", Path.Combine(AppContext.BaseDirectory, "Session.Tests.deps.json"),
                    Path.Combine(AppContext.BaseDirectory, "ProcessFutures.dll"),
                }));
                Assert.That(command.RuntimeConfigToWrite, Is.EqualTo(runtimeConfig));
                Assert.That(File.Exists(runtimeConfig), Is.False, "choosing writes nothing: the launcher writes it at the first start");
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void WriteRuntimeConfig_NamesTheFrameworksThisProcessRunsOn_AndTheWorkersGcSettings()
    {
        string path = Path.Combine(Path.GetTempPath(), $"processfutures-test-{Guid.NewGuid():N}.runtimeconfig.json");
        try
        {
            WorkerCommand.WriteRuntimeConfig(path);

            using JsonDocument config = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement options = config.RootElement.GetProperty("runtimeOptions");
            Dictionary<string, string> frameworks = options.GetProperty("frameworks").EnumerateArray()
                .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("version").GetString()!);
            Assert.That(frameworks["Microsoft.NETCore.App"], Is.EqualTo(Path.GetFileName(Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory()))));
            using JsonDocument own = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Session.Tests.runtimeconfig.json")));
            string[] ownFrameworks = [.. own.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
            Assert.That(frameworks.Keys, Is.EquivalentTo(ownFrameworks), "the worker asks for the frameworks the app asks for, and no others (none added)");
            Assert.That(options.GetProperty("configProperties").GetProperty("System.GC.Server").GetBoolean(), Is.False);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void SelfCommand_AfterRunWorkerIfRequested_StartsThisAppAgain()
    {
        // In a normal run it returns at once, and records that this app can be its own worker.
        ProcessPoolExecutor.RunWorkerIfRequested([]);

        WorkerCommand command = WorkerCommand.SelfCommand("a single-file app");

        Assert.Multiple(() =>
        {
            Assert.That(command.Problem, Is.Null);
            Assert.That(command.RunsApp, Is.True);
            Assert.That(command.FileName, Is.EqualTo(Environment.ProcessPath));
            Assert.That(command.Arguments, Is.Empty);
        });
    }

    [Test]
    public void SelfCommand_WithoutRunWorkerIfRequested_SaysWhichLineToAddWhere()
    {
        bool before = WorkerCommand.AppRunsWorkerIfRequested;
        WorkerCommand.AppRunsWorkerIfRequested = false;
        try
        {
            WorkerCommand command = WorkerCommand.SelfCommand("a single-file app");

            Assert.That(command.Problem, Does.StartWith("This app is a single-file app")
                .And.Contain("Add 'ProcessPoolExecutor.RunWorkerIfRequested(args);' (namespace ProcessFutures) as the first line of Main in testhost"));
        }
        finally
        {
            WorkerCommand.AppRunsWorkerIfRequested = before;
        }
    }

    [Test]
    public async Task Pool_InAProcessStartedAsItsWorker_FailsEveryRequestAtOnce_AndNeverTriesToStartOne()
    {
        // A process the pool started as its worker that creates a pool before RunWorkerIfRequested
        // would start copies of itself without end: refused, for good.
        var events = new EventLog();
        List<int> children = WorkerProcesses.ChildrenOf(Environment.ProcessId); // other fixtures' workers
        Environment.SetEnvironmentVariable(WorkerEnvironment.RunAsWorker, WorkerEnvironment.RunAsWorkerValue);
        try
        {
            await using var pool = new ProcessPoolExecutor(2, new ProcessPoolOptions { LoggerFactory = events });
            await using var session = new FuturesSession(pool);
            var clock = Stopwatch.StartNew();

            WorkerStartException first = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;
            await Task.Delay(TimeSpan.FromSeconds(1));
            var second = Stopwatch.StartNew();
            WorkerStartException later = Assert.ThrowsAsync<WorkerStartException>(() => session.GetAsync(TestServer.Url("/get")).Within())!;

            Assert.Multiple(() =>
            {
                Assert.That(first.Message, Does.Contain("created a pool before calling ProcessPoolExecutor.RunWorkerIfRequested(args)")
                    .And.Contain("Add 'ProcessPoolExecutor.RunWorkerIfRequested(args);'"));
                Assert.That(later.Message, Is.EqualTo(first.Message));
                Assert.That(second.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(500)), "a later request fails at once, without waiting for an attempt");
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
                Assert.That(events.Ids, Has.No.Member(3), "no start was retried (event 3: a failed start, retrying)");
                Assert.That(events.Ids.Count(id => id == 9), Is.EqualTo(1), "said once why nothing starts (event 9)");
                Assert.That(WorkerProcesses.ChildrenOf(Environment.ProcessId), Is.SubsetOf(children), "no process was started");
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable(WorkerEnvironment.RunAsWorker, null);
        }
    }

    [Test]
    public async Task Pool_WhoseWorkerRuntimeConfigWasRemoved_WritesItAgainForTheNextWorker()
    {
        // A temp cleaner may remove files from a long-lived pool's directory: the next start must not fail for it.
        await using var pool = new ProcessPoolExecutor(1, new ProcessPoolOptions { LoggerFactory = TestLogging.Factory });
        await using var session = new FuturesSession(pool);
        int first = (await session.GetAsync(TestServer.Url("/get")).Within()).ProcessId;
        string runtimeConfig = Path.Combine(pool.SocketDirectory, "worker.runtimeconfig.json");
        Assert.That(File.Exists(runtimeConfig), Is.True, "written at the first start");

        File.Delete(runtimeConfig);
        using (var worker = Process.GetProcessById(first))
        {
            worker.Kill();
        }

        await Waits.UntilAsync(() => pool.WorkerProcessIds is [int next] && next != first, "the replacement worker to start", seconds: 30);
        Response response = await session.GetAsync(TestServer.Url("/get")).Within();

        Assert.That(response.ProcessId, Is.Not.EqualTo(first));
        Assert.That(File.Exists(runtimeConfig), Is.True);
    }

    /// <summary>Keeps the ids of the events the pool logs.</summary>
    private sealed class EventLog : ILoggerFactory, ILoggerProvider, ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<int> _ids = [];

        public List<int> Ids
        {
            get
            {
                lock (_lock)
                {
                    return [.. _ids];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            TestContext.Progress.WriteLine($"[pool {logLevel}] {formatter(state, exception)}");
            lock (_lock)
            {
                _ids.Add(eventId.Id);
            }
        }

        public void Dispose()
        {
        }
    }
}
