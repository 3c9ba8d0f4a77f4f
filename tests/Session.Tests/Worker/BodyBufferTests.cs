using ProcessFutures.Internal;

namespace Session.Tests.Worker;

/// <summary>What the body buffer allocates: never a peer's announced length before the bytes arrive, beyond 1 MiB.</summary>
public sealed class BodyBufferTests
{
    [Test]
    public void AnAnnouncedLengthWithNoBody_AllocatesNothingLarge()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();

        using var buffer = new BodyBuffer(expectedLength: 1_500_000_000);
        byte[] result = buffer.ToArray();

        Assert.That(result, Is.Empty);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(64 * 1024));
    }

    [Test]
    public void ALyingLength_CostsAtMostTwiceWhatArrived()
    {
        byte[] piece = new byte[64 * 1024];
        Random.Shared.NextBytes(piece);
        long before = GC.GetAllocatedBytesForCurrentThread();

        using var buffer = new BodyBuffer(expectedLength: 1_000_000_000);
        for (int i = 0; i < 32; i++)
        {
            buffer.Write(piece);
        }

        Assert.That(buffer.Length, Is.EqualTo(32 * piece.Length));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(4L * 1024 * 1024), "pooled segments, not the announced gigabyte");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(1024 * 1024)]
    [TestCase((3 * 1024 * 1024) + 17)]
    public void HonestLengths_RoundTrip(int length)
    {
        byte[] data = new byte[length];
        Random.Shared.NextBytes(data);
        using var buffer = new BodyBuffer(length);
        for (int offset = 0; offset < length; offset += 10_000)
        {
            buffer.Write(data.AsSpan(offset, Math.Min(10_000, length - offset)));
        }

        Assert.That(buffer.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public void MoreThanAnnounced_AndUnknownLengths_RoundTrip()
    {
        byte[] data = new byte[2_500_000];
        Random.Shared.NextBytes(data);
        using var longer = new BodyBuffer(expectedLength: 2_000_000);
        using var unknown = new BodyBuffer();
        longer.Write(data);
        unknown.Write(data);

        Assert.That(longer.ToArray(), Is.EqualTo(data));
        Assert.That(unknown.ToArray(), Is.EqualTo(data));
        Assert.That(unknown.Segments.Sum(s => s.Length), Is.EqualTo(data.Length));
    }
}
