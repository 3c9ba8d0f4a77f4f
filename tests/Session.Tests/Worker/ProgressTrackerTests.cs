using ProcessFutures;
using ProcessFutures.Internal;

namespace Session.Tests.Worker;

/// <summary>Progress reports: in order, never going back, at most about ten a second, and a last one with the final counts.</summary>
public sealed class ProgressTrackerTests
{
    [Test]
    public void ManySmallCounts_AreReportedRarely_AndCompleteReportsTheFinalCounts()
    {
        var reports = new List<TransferProgress>();
        var tracker = new ProgressTracker(reports.Add);
        tracker.SetTotalToReceive(10_000);

        for (int i = 0; i < 10_000; i++)
        {
            tracker.AddReceived(1);
        }

        tracker.Complete();
        tracker.Complete();
        tracker.AddReceived(5);

        Assert.That(reports, Has.Count.LessThanOrEqualTo(3), "the first report, maybe one more, and the last");
        Assert.That(reports[^1], Is.EqualTo(new TransferProgress(0, null, 10_000, 10_000)));
    }

    [Test]
    public void UpdatesFromElsewhere_NeverGoBack()
    {
        var reports = new List<TransferProgress>();
        var tracker = new ProgressTracker(reports.Add);

        tracker.Update(new TransferProgress(100, 100, 50, null));
        tracker.Update(new TransferProgress(10, 100, 20, 1000));
        tracker.Complete();

        Assert.That(reports[^1], Is.EqualTo(new TransferProgress(100, 100, 50, 1000)));
    }

    [Test]
    public async Task ConcurrentCounts_ReachTheSinkInOrder()
    {
        var reports = new List<long>();
        var tracker = new ProgressTracker(p => reports.Add(p.BytesSent + p.BytesReceived));

        await Task.WhenAll(Task.Run(() => { for (int i = 0; i < 200_000; i++) { tracker.AddSent(1); } }), Task.Run(() => { for (int i = 0; i < 200_000; i++) { tracker.AddReceived(1); } })).WaitAsync(TimeSpan.FromSeconds(30));
        tracker.Complete();

        Assert.That(reports, Is.Ordered);
        Assert.That(reports[^1], Is.EqualTo(400_000));
    }
}
