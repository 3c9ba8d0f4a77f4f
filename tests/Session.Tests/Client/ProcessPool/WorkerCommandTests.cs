using System.Runtime.InteropServices;
using System.Text.Json;
using Session.Client;
using Session.Client.Internal;

namespace Session.Tests.Client.ProcessPool;

/// <summary>
/// How the pool starts workers: with the dotnet host of this runtime in a framework-dependent app
/// (this test host is one), and the app itself in a self-contained or single-file app, which
/// must call RunWorkerIfRequested. The packaged app runs are in tests/PackageSmoke/run.sh.
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
                    Path.Combine(AppContext.BaseDirectory, "Session.Worker.dll"),
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
            Assert.That(frameworks, Does.ContainKey("Microsoft.AspNetCore.App"));
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
                .And.Contain("Add 'ProcessPoolExecutor.RunWorkerIfRequested(args);' (namespace Session.Client) as the first line of Main in testhost"));
        }
        finally
        {
            WorkerCommand.AppRunsWorkerIfRequested = before;
        }
    }
}
