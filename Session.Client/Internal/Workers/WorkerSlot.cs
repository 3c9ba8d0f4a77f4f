using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// One of a worker's slots: a loop that takes the next queued request when its last one ended,
/// and runs it on the slot's long-lived stream (opened on first use, reopened after a break).
/// </summary>
internal sealed class WorkerSlot(ServingWorker worker)
{
    private SlotConnection? _connection;

    public async Task RunAsync()
    {
        CancellationToken stopTaking = worker.StopTakingToken;
        try
        {
            while (!stopTaking.IsCancellationRequested)
            {
                // The call is made in a method of its own: nothing here holds the request (or its
                // response) while a streamed body holds the slot, so a response dropped without
                // being disposed can be collected and give the slot back.
                (bool more, RemoteCall.StreamHold? held) = await TakeAndRunAsync(stopTaking).ConfigureAwait(false);
                if (held is not null && !await held.ReleasedAsync().ConfigureAwait(false))
                {
                    await DropConnectionAsync().ConfigureAwait(false);
                }

                if (!more)
                {
                    return;
                }
            }
        }
        finally
        {
            if (_connection is not null)
            {
                if (!worker.IsDead)
                {
                    await _connection.CloseAsync().ConfigureAwait(false);
                }

                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes the next request and runs it; false when there is nothing more to take.</summary>
    private async Task<(bool More, RemoteCall.StreamHold? Held)> TakeAndRunAsync(CancellationToken stopTaking)
    {
        PendingWork? work;
        try
        {
            work = await worker.Core.Queue.DequeueAsync(stopTaking).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (false, null);
        }

        if (work is null)
        {
            return (false, null);
        }

        if (!work.TryStart())
        {
            return (true, null);
        }

        try
        {
            _connection ??= await SlotConnection.OpenAsync(worker.Connector, worker.Token, worker.DeadToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The work was taken: it must still end (or go back to the queue).
            if (await worker.ExplainFailureAsync(work, exception).ConfigureAwait(false) is { } failure)
            {
                work.Fail(failure);
            }

            work.RunEnded();
            return (true, null);
        }

        var call = new RemoteCall(worker, _connection, work);
        if (!await call.RunAsync().ConfigureAwait(false))
        {
            // The stream is broken or out of step: the next request opens a new one.
            await DropConnectionAsync().ConfigureAwait(false);
        }

        worker.AfterRequest();
        return (true, call.Held);
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
