using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// Where <see cref="RequestRunner"/> sends a request's outcome: the caller's task, in process (the
/// thread pool), or frames to the client, in a worker. The runner decides what happens (the
/// exchange, the body's mode, the cap, the file, the callback, the errors); the answer only says
/// where it goes.
/// </summary>
internal interface IRequestAnswer
{
    /// <summary>Whether a callback runs on the response.</summary>
    bool HasCallback { get; }

    /// <summary>In process a streamed body is handed to the caller as it is; a worker relays it.</summary>
    bool InProcess { get; }

    /// <summary>Whether the answer has ended (nothing more may be sent), so a late failure is not answered twice.</summary>
    bool Ended { get; }

    /// <summary>Where a body the runner reads goes: to the caller's Response or to its frames, as <paramref name="use"/> says.</summary>
    IBodySink OpenBody(ResponseInfo info, BodyUse use);

    /// <summary>In process, no callback: the live body, for the caller to read; its lease holds the slot.</summary>
    void HandOver(ResponseInfo info, ResponseBodyStream body, SlotLease lease);

    /// <summary>No callback: the body is complete in <paramref name="file"/> (the request's download_path), for the caller to move into place.</summary>
    Task DownloadedAsync(ResponseInfo info, string file);

    /// <summary>Runs the callback on <paramref name="response"/>; its exceptions propagate as they are.</summary>
    Task<object?> RunCallbackAsync(Response response, CancellationToken cancellationToken);

    /// <summary>The callback's result. For a download, the body is complete in the request's download_path (or was relayed).</summary>
    Task ResultAsync(ResponseInfo info, Response response, object? result);

    /// <summary>The request failed: why, and the exception as it would surface from HttpClient or the callback.</summary>
    Task FailAsync(ErrorKind kind, Exception exception);
}

/// <summary>What a body read by the runner is for.</summary>
internal enum BodyUse
{
    /// <summary>The response's content, within the session's cap.</summary>
    Buffered,

    /// <summary>A streamed body relayed as it arrives (a worker; the caller's reading paces it).</summary>
    Streamed,

    /// <summary>The caller's DownloadTo file, relayed by a remote worker; the answer ends with it.</summary>
    Download,

    /// <summary>As <see cref="Download"/>, but a callback's result follows (the answer does not end with the body).</summary>
    DownloadBeforeResult,
}

/// <summary>Takes a body as the runner reads it: each read lands in <see cref="GetMemory"/>, then <see cref="AdvanceAsync"/> says how much.</summary>
internal interface IBodySink : IDisposable
{
    Memory<byte> GetMemory();

    ValueTask AdvanceAsync(int count);

    /// <summary>The body ended cleanly.</summary>
    ValueTask CompleteAsync();
}
