// Compiled into both smoke projects (see ../run.sh): the callback and a tiny HTTP server.
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ProcessFutures;

/// <summary>What the callback sends back from the worker.</summary>
public sealed record SmokeResult(int ProcessId, int Length, string Sha256);

/// <summary>The app's own callbacks: named static methods, as the process pool requires.</summary>
public static class SmokeCallbacks
{
    public static SmokeResult Digest(Response response) =>
        new(Environment.ProcessId, response.Content.Length, Convert.ToHexStringLower(SHA256.HashData(response.Content)));
}

/// <summary>
/// Just enough HTTP/1.1 for one GET: the port is chosen by the OS when listening (port 0), so
/// there is no race for a free port and nothing else to start.
/// </summary>
public static class SmokeServer
{
    /// <summary>How many processes have this one as their parent (Linux: from /proc).</summary>
    public static int ChildProcesses()
    {
        int count = 0;
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(directory, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                count += fields[1] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) ? 1 : 0;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }

        return count;
    }

    public static async Task ServeAsync(TcpListener listener, byte[] body)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    NetworkStream stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        int read = await stream.ReadAsync(buffer);
                        if (read == 0)
                        {
                            return;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    byte[] header = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(header);
                    await stream.WriteAsync(body);
                }
            });
        }
    }
}
