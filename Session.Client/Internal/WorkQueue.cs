using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>
/// The queue of both executors: requests wait here in submission order until a slot (a thread-pool
/// loop or a worker's slot) takes one. A request cancelled while queued leaves the queue at once,
/// so the queue holds exactly the requests that callers still wait for and that no slot took:
/// its growth is bounded by what callers submit and hold, never by requests that already ended.
/// Waiting slots are handed requests directly, in the order they started waiting.
/// </summary>
[DebuggerDisplay("{_items.Count} queued, {_waiters.Count} slots waiting, completed = {_completed}")]
internal sealed class WorkQueue(Action<int>? countChanged = null)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<PendingWork> _items = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private bool _completed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>How many slots wait for work now.</summary>
    public int WaitingSlots
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="work"/> (at the front: work that never reached a worker); false once the queue is completed.</summary>
    public bool TryEnqueue(PendingWork work, bool front = false)
    {
        Waiter? waiter = null;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            if (_waiters.First is { } first)
            {
                waiter = first.Value;
                _waiters.RemoveFirst();
            }
            else
            {
                LinkedListNode<PendingWork> node = work.QueueNode;
                if (front)
                {
                    _items.AddFirst(node);
                }
                else
                {
                    _items.AddLast(node);
                }
            }
        }

        // Outside the lock: a waiting slot runs on from here (see Waiter.Hand).
        if (waiter is null)
        {
            countChanged?.Invoke(1);
        }
        else
        {
            waiter.Hand(work);
        }

        return true;
    }

    /// <summary>The next request, or null once the queue is completed and empty.</summary>
    public ValueTask<PendingWork?> DequeueAsync(CancellationToken cancellationToken)
    {
        // A slot that stopped taking (its worker retires or died) takes nothing, even what is there.
        cancellationToken.ThrowIfCancellationRequested();
        Waiter? waiter = null;
        PendingWork? taken = null;
        lock (_lock)
        {
            if (_items.First is { } first)
            {
                _items.RemoveFirst();
                taken = first.Value;
            }
            else if (_completed)
            {
                return new ValueTask<PendingWork?>((PendingWork?)null);
            }
            else
            {
                waiter = new Waiter(this);
                _waiters.AddLast(waiter.Node);
            }
        }

        if (waiter is null)
        {
            countChanged?.Invoke(-1);
            return new ValueTask<PendingWork?>(taken);
        }

        waiter.WatchCancellation(cancellationToken);
        return new ValueTask<PendingWork?>(waiter.Task);
    }

    /// <summary>Takes <paramref name="work"/> out if it is still queued.</summary>
    public bool Remove(PendingWork work)
    {
        lock (_lock)
        {
            if (work.QueueNode.List != _items)
            {
                return false;
            }

            _items.Remove(work.QueueNode);
        }

        countChanged?.Invoke(-1);
        return true;
    }

    /// <summary>The requests waiting now, in order (they stay queued).</summary>
    public List<PendingWork> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    /// <summary>Takes every request out, in order; with <paramref name="complete"/>, later enqueues fail and waiting slots get null.</summary>
    public List<PendingWork> Drain(bool complete)
    {
        List<PendingWork> drained;
        List<Waiter> waiters = [];
        lock (_lock)
        {
            drained = [.. _items];
            _items.Clear();
            if (complete && !_completed)
            {
                _completed = true;
                waiters.AddRange(_waiters);
                _waiters.Clear();
            }
        }

        foreach (Waiter waiter in waiters)
        {
            waiter.Release();
        }

        if (drained.Count > 0)
        {
            countChanged?.Invoke(-drained.Count);
        }

        return drained;
    }

    private bool RemoveWaiter(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node.List != _waiters)
            {
                return false;
            }

            _waiters.Remove(waiter.Node);
            return true;
        }
    }

    /// <summary>
    /// A slot waiting for work. Its token registration is released on every path, including a
    /// hand-over that beats the registration.
    /// </summary>
    /// <remarks>
    /// A request handed to a waiting slot runs on at once on the thread that submitted it, up to
    /// its first wait (in practice, the send of its first bytes), as a request sent with
    /// <see cref="HttpClient"/> itself does: no thread is woken to start it, which was one of the
    /// two thread-pool hand-offs per request (the other, to the caller's continuation, stays: a
    /// caller's code must never run on a slot, or a caller that blocks on a later request of the
    /// same executor could hold the slot that request needs). The slot's continuation runs in its
    /// own execution context, not the submitter's. Ending a wait without work (cancelled, or the
    /// queue completed) still resumes the slot on the thread pool: a slot's shutdown never runs
    /// inside the code that cancels it.
    /// </remarks>
    private sealed class Waiter
    {
        private readonly TaskCompletionSource<PendingWork?> _completion = new();
        private readonly Lock _gate = new();
        private readonly WorkQueue _queue;
        private CancellationTokenRegistration _registration;
        private bool _handed;

        public Waiter(WorkQueue queue)
        {
            _queue = queue;
            Node = new LinkedListNode<Waiter>(this);
        }

        public LinkedListNode<Waiter> Node { get; }

        public Task<PendingWork?> Task => _completion.Task;

        public void WatchCancellation(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled)
            {
                return;
            }

            CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var waiter = (Waiter)state!;
                    if (waiter._queue.RemoveWaiter(waiter))
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Waiter._completion.TrySetCanceled(state.Token), (Waiter: waiter, Token: token), preferLocal: false);
                    }
                },
                this);
            bool handed;
            lock (_gate)
            {
                _registration = registration;
                handed = _handed;
            }

            if (handed)
            {
                registration.Unregister();
            }
        }

        /// <summary>Gives the slot <paramref name="work"/>: the slot runs on, on this thread.</summary>
        public void Hand(PendingWork work)
        {
            StopWatching();
            _completion.TrySetResult(work);
        }

        /// <summary>Tells the slot there is nothing more to take: it resumes on the thread pool.</summary>
        public void Release()
        {
            StopWatching();
            ThreadPool.UnsafeQueueUserWorkItem(static waiter => waiter._completion.TrySetResult(null), this, preferLocal: false);
        }

        private void StopWatching()
        {
            CancellationTokenRegistration registration;
            lock (_gate)
            {
                _handed = true;
                registration = _registration;
            }

            registration.Unregister();
        }
    }
}
