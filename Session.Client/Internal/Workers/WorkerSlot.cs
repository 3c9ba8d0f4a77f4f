namespace ProcessFutures.Internal;

/// <summary>
/// One of a worker's slots: a loop that takes the next queued request when its last one ended,
/// and runs it on the slot's long-lived stream (opened on first use, reopened after a break).
/// </summary>
internal sealed class WorkerSlot(ServingWorker worker)
{
    public async Task RunAsync()
    {
        CancellationToken stopTaking = worker.StopTakingToken;
        SlotStream? stream = null;
        try
        {
            while (!stopTaking.IsCancellationRequested)
            {
                PendingWork? work;
                try
                {
                    work = await worker.Host.Queue.DequeueAsync(stopTaking).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (work is null)
                {
                    return;
                }

                if (!work.TryStart())
                {
                    continue;
                }

                try
                {
                    stream ??= await worker.OpenStreamAsync().ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    // The work was taken: it must still end (or go back to the queue).
                    if (await worker.ExplainFailureAsync(work, exception).ConfigureAwait(false) is { } failure)
                    {
                        work.Fail(failure);
                    }

                    continue;
                }

                if (!await new RemoteCall(worker, stream, work).RunAsync().ConfigureAwait(false))
                {
                    // The stream is broken or out of step: the next request opens a new one.
                    stream.Dispose();
                    stream = null;
                }

                worker.AfterRequest();
            }
        }
        finally
        {
            if (stream is not null)
            {
                if (!worker.IsDead)
                {
                    await stream.CloseAsync().ConfigureAwait(false);
                }

                stream.Dispose();
            }
        }
    }
}
