using System.Diagnostics;

namespace ProcessFutures.Internal;

/// <summary>
/// How an executor's slot, held by a streamed response (<c>RequestOptions.Stream</c>), gets back
/// to work. The slot waits on <see cref="Ended"/> and holds nothing else of the request, so that a
/// response its caller dropped without disposing can be collected: its stream's finalizer then
/// ends the lease as <see cref="LeaseEnd.Collected"/>.
/// </summary>
[DebuggerDisplay("{_ended.Task.Status}: {Url,nq}")]
internal sealed class SlotLease(string url)
{
    private readonly TaskCompletionSource<LeaseEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The request's URL, for the warning about a response collected without being disposed.</summary>
    public string Url { get; } = url;

    public Task<LeaseEnd> Ended => _ended.Task;

    /// <summary>Ends the lease the first time; later calls change nothing.</summary>
    public void End(LeaseEnd how) => _ended.TrySetResult(how);
}

/// <summary>How a streamed response let its slot go.</summary>
internal enum LeaseEnd
{
    /// <summary>Its body was read to the end (or failed): the stream is in step.</summary>
    EndReached,

    /// <summary>It was disposed before the end: the exchange must be stopped and what is left discarded.</summary>
    Abandoned,

    /// <summary>Its transport broke (the worker died).</summary>
    Broken,

    /// <summary>It was collected without being disposed: as abandoned, and worth a warning.</summary>
    Collected,
}
