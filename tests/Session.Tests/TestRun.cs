using Session.Tests.Infrastructure;

namespace Session.Tests;

/// <summary>Set-up for every fixture in the assembly (a SetUpFixture covers its namespace and those below).</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeSetUp]
    public Task StartAsync() => TestServer.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => TestServer.StopAsync();
}
