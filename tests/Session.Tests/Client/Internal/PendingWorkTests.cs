using ProcessFutures.Internal;
using ProcessFutures;

namespace Session.Tests.Client.Internal;

/// <summary>The life of one request: it ends exactly once, by whichever path comes first, and leaves no registration behind.</summary>
public sealed class PendingWorkTests
{
    [Test]
    public void APreCancelledToken_EndsTheWorkAtOnce_AndItsSessionCountsItOut()
    {
        SessionContext session = WorkItems.Session();
        PendingWork<Response> work = WorkItems.Create(session, new CancellationToken(canceled: true));

        work.Watch();

        Assert.That(work.Task.IsCanceled, Is.True);
        Assert.That(session.ShutDown().IsCompleted, Is.True, "nothing outstanding");
    }

    [Test]
    public void FirstEndWins_LaterOnesAreIgnored()
    {
        SessionContext session = WorkItems.Session();
        PendingWork<Response> work = WorkItems.Create(session);
        work.Watch();
        Assert.That(work.TryStart(), Is.True);

        Assert.That(work.Fail(new InvalidOperationException("first")), Is.True);
        Assert.That(work.Fail(new InvalidOperationException("second")), Is.False);
        Assert.That(work.CompleteWithResult(null), Is.False);
        work.CancelQueued(CancellationToken.None);

        Assert.That(work.Task.Exception!.InnerException!.Message, Is.EqualTo("first"));
    }

    [Test]
    public void QueuedWork_IsCancelledBySessionDisposal_RunningWorkIsNot()
    {
        SessionContext session = WorkItems.Session();
        PendingWork<Response> queued = WorkItems.Create(session);
        PendingWork<Response> running = WorkItems.Create(session);
        queued.Watch();
        running.Watch();
        Assert.That(running.TryStart(), Is.True);

        Task drained = session.ShutDown();

        Assert.That(queued.Task.IsCanceled, Is.True);
        Assert.That(running.Task.IsCompleted, Is.False);
        Assert.That(drained.IsCompleted, Is.False, "the running one is outstanding");
        running.Fail(new InvalidOperationException("done"));
        Assert.That(drained.IsCompleted, Is.True);
    }

    [Test]
    public void TheCallersCancellation_EndsQueuedWork_AndTakesItOutOfItsQueue()
    {
        var queue = new WorkQueue();
        using var cancel = new CancellationTokenSource();
        PendingWork<Response> work = WorkItems.Create(WorkItems.Session(), cancel.Token);
        work.Watch();
        work.Queue = queue;
        queue.TryEnqueue(work);

        cancel.Cancel();

        Assert.That(work.Task.IsCanceled, Is.True);
        Assert.That(queue.Count, Is.Zero, "a cancelled request does not wait in the queue");
        Assert.That(work.TryStart(), Is.False);
    }

    [Test]
    public void WorkThatNeverReachedAWorker_GoesBackToQueued_UnlessItEndedMeanwhile()
    {
        SessionContext session = WorkItems.Session();
        PendingWork<Response> work = WorkItems.Create(session);
        work.Watch();
        Assert.That(work.TryStart(), Is.True);

        Assert.That(work.ReturnToQueue(), Is.True);
        session.ShutDown();

        Assert.That(work.Task.IsCanceled, Is.True, "queued again, so session disposal cancels it");
        Assert.That(work.ReturnToQueue(), Is.False);
    }

    [Test]
    public void TheRunnersSafetyNet_EndsWorkStillRunning_ButNotWorkGivenBackToTheQueue()
    {
        SessionContext session = WorkItems.Session();
        PendingWork<Response> requeued = WorkItems.Create(session);
        PendingWork<Response> forgotten = WorkItems.Create(session);
        requeued.Watch();
        forgotten.Watch();
        requeued.TryStart();
        forgotten.TryStart();

        requeued.ReturnToQueue();
        requeued.EndIfStillRunning();
        forgotten.EndIfStillRunning();

        Assert.That(requeued.Task.IsCompleted, Is.False, "it waits for another worker");
        Assert.That(requeued.TryStart(), Is.True);
        Assert.That(forgotten.Task.Exception!.InnerException, Is.TypeOf<InvalidOperationException>().With.Message.Contains("ended without a result"));
    }

    [Test]
    public void ARemoteResultOfTheWrongType_FaultsTheTask_InsteadOfLeavingItPending()
    {
        PendingWork<Response> work = WorkItems.Create(WorkItems.Session());
        work.Watch();

        work.CompleteWithResult(42);

        Assert.That(work.Task.Exception!.InnerException, Is.InstanceOf<InvalidCastException>());
    }

    [Test]
    public async Task SubmissionsRacingDisposal_EveryTaskEnds_AndDisposalCompletes()
    {
        for (int round = 0; round < 50; round++)
        {
            SessionContext session = WorkItems.Session();
            var queue = new WorkQueue();
            var tasks = new System.Collections.Concurrent.ConcurrentBag<Task<Response>>();
            using var go = new ManualResetEventSlim();
            Task[] submitters = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                go.Wait();
                for (int i = 0; i < 200; i++)
                {
                    try
                    {
                        PendingWork<Response> work = WorkItems.Create(session);
                        work.Watch();
                        work.Queue = queue;
                        queue.TryEnqueue(work);
                        tasks.Add(work.Task);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            }))];

            go.Set();
            Task drained = session.ShutDown();
            await Task.WhenAll(submitters).WaitAsync(TimeSpan.FromSeconds(10));
            await drained.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.That(tasks.All(t => t.IsCanceled), Is.True, $"round {round}: every queued task ended Canceled");
        }
    }
}
