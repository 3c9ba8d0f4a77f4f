using Session.Tests.Infrastructure;

// The process pool relies on Unix sockets and /proc: the suite runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Session.Tests;

/// <summary>Set-up for every fixture in the assembly (a SetUpFixture covers its namespace and those below).</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeSetUp]
    public Task StartAsync() => TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await SharedRemoteWorkers.StopAsync();
        await TestServer.StopAsync();
    }
}
