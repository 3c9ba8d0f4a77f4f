// The test of the 'dotnet new nunit' project the package smoke test makes (see ../run.sh): under
// 'dotnet test' the test host is the process, so the pool must find its worker without any help.
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ProcessFutures;

namespace SmokeTests;

public sealed class PoolTests
{
    [Test]
    public async Task ProcessPool_RunsThisAssemblysCallback_InAWorkerProcess()
    {
        byte[] body = RandomNumberGenerator.GetBytes(54_321);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(() => SmokeServer.ServeAsync(listener, body));

        await using var pool = new ProcessPoolExecutor(1);
        await using var session = new FuturesSession(pool);
        SmokeResult result = await session.GetAsync($"http://127.0.0.1:{port}/bytes", SmokeCallbacks.Digest).WaitAsync(TimeSpan.FromSeconds(120));

        TestContext.Out.WriteLine($"smoke: callback ran in process {result.ProcessId}, test host is {Environment.ProcessId}");
        Assert.Multiple(() =>
        {
            Assert.That(result.ProcessId, Is.Not.EqualTo(Environment.ProcessId));
            Assert.That(pool.WorkerProcessIds, Does.Contain(result.ProcessId));
            Assert.That(result.Length, Is.EqualTo(body.Length));
            Assert.That(result.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(body))));
        });
    }
}
