using ProcessFutures.Internal;
using Session.Tests.Infrastructure;

namespace Session.Tests.Client.Internal;

/// <summary>The queue both executors share: order, hand-over to waiting slots, removal of cancelled work, completion.</summary>
public sealed class WorkQueueTests
{
    [Test]
    public async Task Dequeue_ReturnsWorkInSubmissionOrder_AndQueuedWorkCanBeRemoved()
    {
        var queue = new WorkQueue();
        SessionContext session = WorkItems.Session();
        PendingWork[] work = [WorkItems.Create(session), WorkItems.Create(session), WorkItems.Create(session)];
        foreach (PendingWork item in work)
        {
            Assert.That(queue.TryEnqueue(item), Is.True);
        }

        Assert.That(queue.Remove(work[1]), Is.True);
        Assert.That(queue.Remove(work[1]), Is.False, "already out");
        Assert.That(queue.Count, Is.EqualTo(2));
        Assert.That(await queue.DequeueAsync(CancellationToken.None), Is.SameAs(work[0]));
        Assert.That(await queue.DequeueAsync(CancellationToken.None), Is.SameAs(work[2]));
        Assert.That(queue.Count, Is.Zero);
    }

    [Test]
    public async Task AWaitingSlot_IsHandedTheNextWork_AndRequeuedWorkGoesFirst()
    {
        var queue = new WorkQueue();
        SessionContext session = WorkItems.Session();
        ValueTask<PendingWork?> waiting = queue.DequeueAsync(CancellationToken.None);
        Assert.That(waiting.IsCompleted, Is.False);

        PendingWork first = WorkItems.Create(session);
        queue.TryEnqueue(first);
        Assert.That(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)), Is.SameAs(first));

        PendingWork later = WorkItems.Create(session);
        PendingWork requeued = WorkItems.Create(session);
        queue.TryEnqueue(later);
        queue.TryEnqueue(requeued, front: true);
        Assert.That(await queue.DequeueAsync(CancellationToken.None), Is.SameAs(requeued));
    }

    [Test]
    public async Task AWaitingSlot_RunsOnInsideTheSubmission_InItsOwnContext_AsHttpClientStartsASend()
    {
        var queue = new WorkQueue();
        var context = new AsyncLocal<string>();
        bool submitting = false;
        (bool InsideSubmission, int Thread, string? Context) seen = default;
        context.Value = "slot";
        Task slot = Task.Run(async () =>
        {
            await queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false);
            seen = (submitting, Environment.CurrentManagedThreadId, context.Value);
        });
        await Waits.UntilAsync(() => queue.WaitingSlots == 1, "the slot to wait", seconds: 5);

        int submitter = 0;
        await Task.Run(() =>
        {
            context.Value = "submitter";
            submitter = Environment.CurrentManagedThreadId;
            submitting = true;
            queue.TryEnqueue(WorkItems.Create(WorkItems.Session()));
            submitting = false;
        });

        await slot.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(seen.InsideSubmission, Is.True, "no thread is woken to start the request");
        Assert.That(seen.Thread, Is.EqualTo(submitter));
        Assert.That(seen.Context, Is.EqualTo("slot"), "the submitter's async locals (its Activity) do not leak into the slot");
    }

    [Test]
    public async Task ASlotReleasedWithoutWork_ResumesOnTheThreadPool_NotInsideTheCodeThatReleasedIt()
    {
        var queue = new WorkQueue();
        using var cancel = new CancellationTokenSource();
        bool releasing = false;
        bool? cancelledInside = null;
        bool? drainedInside = null;
        Task cancelled = Task.Run(async () =>
        {
            try
            {
                await queue.DequeueAsync(cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelledInside = releasing;
            }
        });
        Task drained = Task.Run(async () =>
        {
            await queue.DequeueAsync(CancellationToken.None).ConfigureAwait(false);
            drainedInside = releasing;
        });
        await Waits.UntilAsync(() => queue.WaitingSlots == 2, "both slots to wait", seconds: 5);

        releasing = true;
        cancel.Cancel();
        queue.Drain(complete: true);
        releasing = false;

        await Task.WhenAll(cancelled, drained).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(cancelledInside, Is.False, "a cancelled wait resumes on the thread pool");
        Assert.That(drainedInside, Is.False, "a completed queue releases its slots on the thread pool");
    }

    [Test]
    public async Task ACancelledWait_LeavesTheQueue_AndTheNextWorkGoesToTheNextSlot()
    {
        var queue = new WorkQueue();
        using var cancel = new CancellationTokenSource();
        Task<PendingWork?> abandoned = queue.DequeueAsync(cancel.Token).AsTask();
        Task<PendingWork?> waiting = queue.DequeueAsync(CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        PendingWork work = WorkItems.Create(WorkItems.Session());
        queue.TryEnqueue(work);

        Assert.That(() => abandoned.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(5)), Is.SameAs(work));
    }

    [Test]
    public async Task Drain_WithComplete_EmptiesTheQueue_ReleasesWaitingSlots_AndRefusesMore()
    {
        var queue = new WorkQueue();
        SessionContext session = WorkItems.Session();
        queue.TryEnqueue(WorkItems.Create(session));
        queue.TryEnqueue(WorkItems.Create(session));

        List<PendingWork> drained = queue.Drain(complete: true);
        PendingWork? afterwards = await queue.DequeueAsync(CancellationToken.None);

        Assert.That(drained, Has.Count.EqualTo(2));
        Assert.That(afterwards, Is.Null, "a completed, empty queue ends the slots' loops");
        Assert.That(queue.TryEnqueue(WorkItems.Create(session)), Is.False);
    }

    [Test]
    public async Task ManyProducersAndConsumers_EveryItemIsTakenExactlyOnce()
    {
        var queue = new WorkQueue();
        SessionContext session = WorkItems.Session();
        const int PerProducer = 5000;
        var taken = new System.Collections.Concurrent.ConcurrentDictionary<PendingWork, int>();
        Task[] consumers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await queue.DequeueAsync(CancellationToken.None) is { } work)
            {
                taken.AddOrUpdate(work, 1, (_, n) => n + 1);
            }
        }))];
        Task[] producers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                queue.TryEnqueue(WorkItems.Create(session));
            }
        }))];

        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));
        while (queue.Count > 0)
        {
            await Task.Delay(10);
        }

        queue.Drain(complete: true);
        await Task.WhenAll(consumers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(taken, Has.Count.EqualTo(4 * PerProducer));
        Assert.That(taken.Values, Is.All.EqualTo(1));
    }
}
