using System.Security.Cryptography;
using Google.Protobuf;
using ProcessFutures.Infrastructure;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;
using Session.Tests.Infrastructure;

namespace Session.Tests.Worker;

/// <summary>
/// The worker's side of the protocol (<see cref="WorkerServer"/>), through the frame seam in
/// memory: no process, no socket; the requests go to the test server. What a client may send and
/// what it gets back, hostile frames included.
/// </summary>
public sealed class WorkerServerTests
{
    private const string Token = "in-memory-token";

    [Test]
    public async Task AGet_IsAnsweredWithItsHeadAndBody_FromThisProcess()
    {
        await using var worker = new Served(remote: false);

        WorkerFrame[] answer = await worker.CallAsync(Item(TestServer.Url("/bytes/1000?seed=3")));

        Assert.That(answer[0].Head.StatusCode, Is.EqualTo(200));
        Assert.That(answer[0].Head.ProcessId, Is.EqualTo(Environment.ProcessId));
        Assert.That(answer[0].Head.ContentLength, Is.EqualTo(1000));
        Assert.That(Body(answer), Is.EqualTo(HttpBin.DeterministicBytes.Create(1000, 3)));
        Assert.That(answer.Last().End, Is.True);
        Assert.That(answer.Count(f => f.End), Is.EqualTo(1), "one end per answer");
    }

    [Test]
    public async Task AStream_WithoutAHello_OrWithAWrongToken_IsClosedUnanswered()
    {
        await using var noHello = new Served(remote: false, hello: null);
        await using var wrongToken = new Served(remote: false, hello: WorkerSockets.Hello("not-the-token"));

        Assert.That(await noHello.CallAsync(Item(TestServer.Url("/get"))), Is.Empty);
        Assert.That(await wrongToken.CallAsync(Item(TestServer.Url("/get"))), Is.Empty);
    }

    [Test]
    public async Task AClientOfAnotherProtocolVersion_IsToldSo_AndTheStreamEnds()
    {
        await using var worker = new Served(remote: false, hello: WorkerSockets.Hello(Token, (ProtocolVersion)2));

        WorkerFrame[] answer = await worker.CallAsync(Item(TestServer.Url("/get")));

        Assert.That(answer.Single().Error.Kind, Is.EqualTo(ErrorKind.Rejected));
        Assert.That(answer.Single().Error.Message, Does.Contain("protocol 3").And.Contain("protocol 2").And.Contain("same ProcessFutures version"));
    }

    [Test]
    public async Task ABodyLargerThanAFrame_ArrivesInBodyFrames_AndIsSentWhole()
    {
        await using var worker = new Served(remote: false);
        byte[] body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        WorkItem item = Item(TestServer.Url("/upload/sha256"), method: "POST");
        item.BodyLength = body.Length;

        WorkerFrame[] answer = await worker.CallAsync(item, Chunks(body));

        Assert.That(System.Text.Json.JsonDocument.Parse(Body(answer)).RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(body))));
    }

    [Test]
    public async Task AStreamedBody_IsSentOnAsItArrives_ToARemoteWorker()
    {
        await using var worker = new Served(remote: true);
        byte[] body = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        WorkItem item = Item(TestServer.Url("/upload/sha256"), method: "POST");
        item.BodyLength = body.Length;
        item.Request.StreamBody = true;

        WorkerFrame[] answer = await worker.CallAsync(item, Chunks(body));

        System.Text.Json.JsonElement hashed = System.Text.Json.JsonDocument.Parse(Body(answer)).RootElement;
        Assert.That(hashed.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(body))));
        Assert.That(hashed.GetProperty("length").GetInt64(), Is.EqualTo(body.Length));
    }

    [Test]
    public async Task ABodyFrameBeyondWhatTheStartAnnounced_IsRefused_AndTheStreamEnds()
    {
        await using var worker = new Served(remote: false);
        WorkItem item = Item(TestServer.Url("/anything"), method: "POST");
        item.BodyLength = 10;

        WorkerFrame[] answer = await worker.CallAsync(item, [new byte[10], new byte[1]]);

        Assert.That(answer.Last().Error.Kind, Is.EqualTo(ErrorKind.Rejected));
        Assert.That(answer.Last().Error.Message, Does.Contain("more bytes than its start announced"));
    }

    [Test]
    public async Task ACancel_AbortsTheRunningExchange()
    {
        await using var worker = new Served(remote: false);
        await worker.SendAsync(new ClientFrame { Start = Item(TestServer.Url("/delay/10")) });
        await Task.Delay(200);
        await worker.SendAsync(new ClientFrame { Cancel = 1 });

        WorkerFrame[] answer = await worker.ReadAnswerAsync();

        Assert.That(answer.Single().Error.Kind, Is.EqualTo(ErrorKind.Canceled));
    }

    [Test]
    public async Task ATimeout_IsAnsweredAsHttpClientsTimeout()
    {
        await using var worker = new Served(remote: false);
        WorkItem item = Item(TestServer.Url("/delay/10"));
        item.Request.TimeoutTicks = TimeSpan.FromMilliseconds(300).Ticks;

        WorkerFrame[] answer = await worker.CallAsync(item);

        Assert.That(answer.Single().Error.Kind, Is.EqualTo(ErrorKind.Timeout));
        Assert.That(answer.Single().Error.TypeName, Is.EqualTo(typeof(TaskCanceledException).FullName));
        Assert.That(answer.Single().Error.Inner[0].TypeName, Is.EqualTo(typeof(TimeoutException).FullName));
    }

    [Test]
    public async Task ARemoteWorker_RelaysADownload_AndNeverOpensAPath()
    {
        await using var worker = new Served(remote: true);
        WorkItem relayed = Item(TestServer.Url("/bytes/200000?seed=4"));
        relayed.Request.BodyMode = BodyMode.Download;
        WorkItem pathed = Item(TestServer.Url("/bytes/10"));
        pathed.Request.BodyMode = BodyMode.Download;
        pathed.Request.DownloadPath = Path.Combine(Path.GetTempPath(), "processfutures-never.bin");

        WorkerFrame[] download = await worker.CallAsync(relayed);
        WorkerFrame[] refused = await worker.CallAsync(pathed);

        byte[] received = [.. download.SelectMany(f => f.Download.ToByteArray())];
        Assert.That(received, Is.EqualTo(HttpBin.DeterministicBytes.Create(200000, 4)), "the body came back in download frames");
        Assert.That(download.Select(f => f.Chunk.Length), Is.All.Zero, "as a file's chunks, not a buffered body's");
        Assert.That(refused.Single().Error.Message, Does.Contain("never opens a path"));
        Assert.That(File.Exists(pathed.Request.DownloadPath), Is.False);
    }

    [Test]
    public async Task ManyRequests_OneAfterAnother_OnOneStream()
    {
        await using var worker = new Served(remote: false);
        for (int i = 1; i <= 50; i++)
        {
            WorkItem item = Item(TestServer.Url($"/status/{200 + (i % 3)}"));
            item.CallId = i;
            WorkerFrame[] answer = await worker.CallAsync(item);
            Assert.That(answer[0].Head.StatusCode, Is.EqualTo(200 + (i % 3)));
        }
    }

    private static WorkItem Item(string url, string method = "GET") => new()
    {
        CallId = 1,
        Request = new HttpRequest { Method = method, Url = url, Transport = new TransportSettings { VerifyTls = true }, MaxBufferedContentBytes = int.MaxValue },
    };

    private static byte[] Body(WorkerFrame[] answer) => [.. answer.SelectMany(f => f.Chunk.ToByteArray())];

    private static byte[][] Chunks(byte[] body) => [.. body.Chunk(64 * 1024)];

    /// <summary>A <see cref="WorkerServer"/> serving one in-memory stream, and the client's end of it.</summary>
    private sealed class Served : IAsyncDisposable
    {
        private readonly WorkerServer _server;
        private readonly InMemoryStream _client;
        private readonly FrameChannel<WorkerFrame, ClientFrame> _channel;
        private readonly Task _serving;

        /// <summary>A stream whose first frame is <paramref name="hello"/> (none when null).</summary>
        public Served(bool remote, ClientFrame? hello)
        {
            _server = new WorkerServer(remote);
            (_client, InMemoryStream worker) = InMemoryStream.Pair();
            _channel = new FrameChannel<WorkerFrame, ClientFrame>(_client, WorkerFrame.Parser);
            _serving = ServeThenCloseAsync(_server, worker);
            if (hello is not null)
            {
                _ = _channel.WriteAsync(hello).AsTask();
            }
        }

        /// <summary>A stream that says hello with the token, as a client of this build does.</summary>
        public Served(bool remote)
            : this(remote, WorkerSockets.Hello(Token))
        {
        }

        /// <summary>As a transport host does: the worker's end is closed once serving it ended.</summary>
        private static async Task ServeThenCloseAsync(WorkerServer server, InMemoryStream worker)
        {
            await server.ServeAsync(worker, Token, CancellationToken.None);
            await worker.CompleteAsync();
        }

        public ValueTask SendAsync(ClientFrame frame) => _channel.WriteAsync(frame);

        /// <summary>Sends a request (and its body frames), and reads its answer; empty when the worker closed the stream instead.</summary>
        public async Task<WorkerFrame[]> CallAsync(WorkItem item, byte[][]? body = null)
        {
            try
            {
                await SendAsync(new ClientFrame { Start = item }).AsTask().Within();
                foreach (byte[] chunk in body ?? [])
                {
                    await SendAsync(new ClientFrame { Body = ByteString.CopyFrom(chunk) }).AsTask().Within();
                }
            }
            catch (WorkerTransportException)
            {
                // The worker closed the stream before reading it all.
            }

            return await ReadAnswerAsync();
        }

        public async Task<WorkerFrame[]> ReadAnswerAsync()
        {
            var frames = new List<WorkerFrame>();
            try
            {
                while (await _channel.ReadAsync(CancellationToken.None).AsTask().Within(30) is { } frame)
                {
                    frames.Add(frame);
                    if (frame.End)
                    {
                        break;
                    }
                }
            }
            catch (WorkerTransportException)
            {
            }

            return [.. frames];
        }

        public async ValueTask DisposeAsync()
        {
            await _client.CompleteAsync();
            await _serving.Within(30);
            _server.Dispose();
        }
    }
}
