using HttpBin;

namespace Session.Tests.Infrastructure;

/// <summary>One local httpbin for the whole test run, on 127.0.0.1 and a free port (started by <see cref="TestRun"/>).</summary>
public static class TestServer
{
    private static HttpBinServer? s_server;

    public static HttpBinServer Instance => s_server ?? throw new InvalidOperationException("The test server is not running.");

    public static string Url(string pathAndQuery) => Instance.Url(pathAndQuery);

    internal static async Task StartAsync() => s_server = await HttpBinServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

    internal static async Task StopAsync()
    {
        if (s_server is not null)
        {
            await s_server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            s_server = null;
        }
    }
}
