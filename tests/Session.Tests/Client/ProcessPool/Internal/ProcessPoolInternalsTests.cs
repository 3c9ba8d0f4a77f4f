using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;

namespace Session.Tests.Client.ProcessPool.Internal;

/// <summary>Small pieces of the pool, without processes: a head in pieces, what a failed worker's output keeps.</summary>
public sealed class ProcessPoolInternalsTests
{
    [Test]
    public void AHeadInPieces_IsPutBackTogether()
    {
        var head = new ResponseHead
        {
            StatusCode = 200,
            Url = "http://127.0.0.1/" + new string('u', 5000),
            Headers = [new("X-Big", new string('h', 200_000))],
            SetCookies = [new CookiesSet("http://127.0.0.1/", ["a=1", "b=2"])],
            Elapsed = TimeSpan.FromMilliseconds(3),
            ProcessId = 7,
            ContentLength = -1,
        };
        byte[] bytes = ContractSerializer.ToBytes(head);
        using var assembler = new HeadAssembler();

        bool done = false;
        for (int offset = 0; offset < bytes.Length; offset += WireLimits.ChunkSize)
        {
            int length = Math.Min(WireLimits.ChunkSize, bytes.Length - offset);
            var frame = new WorkerFrame { Head = ByteString.CopyFrom(bytes, offset, length), HeadComplete = offset + length == bytes.Length };
            done = assembler.Add(frame, processId: 7);
        }

        Assert.That(done, Is.True);
        Assert.That(bytes.Length, Is.GreaterThan(3 * WireLimits.ChunkSize), "it needed several pieces");
        Assert.That(assembler.Head!.Headers[0].Value, Has.Length.EqualTo(200_000));
        Assert.That(assembler.Head.SetCookies[0].Values, Is.EqualTo(new[] { "a=1", "b=2" }));
    }

    [Test]
    public void WorkerOutput_KeepsTheFirstLines_TheFirstErrorLine_AndTheLast_WithinABound()
    {
        var output = new WorkerOutput(NullLogger.Instance);
        for (int i = 0; i < 10; i++)
        {
            output.Add($"banner {i}");
        }

        output.Add("fail: the real cause");
        for (int i = 0; i < 10_000; i++)
        {
            output.Add($"   at Frame{i}()");
        }

        string explained = output.Explain();

        Assert.That(explained, Does.Contain("banner 0").And.Contain("fail: the real cause").And.Contain("Frame9999").And.Contain("more lines"));
        Assert.That(explained.Split(Environment.NewLine), Has.Length.LessThanOrEqualTo(30));
    }
}
