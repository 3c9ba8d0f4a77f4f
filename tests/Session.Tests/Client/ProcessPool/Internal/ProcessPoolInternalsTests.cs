using Microsoft.Extensions.Logging.Abstractions;
using ProcessFutures.Internal;

namespace Session.Tests.Client.ProcessPool.Internal;

/// <summary>Small pieces of the pool, without processes: what a failed worker's output keeps.</summary>
public sealed class ProcessPoolInternalsTests
{
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
