using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>What <see cref="RequestRunner"/> needs to run one request, wherever it runs.</summary>
internal sealed class RequestRun
{
    /// <summary>The client to send with: the session's own (or wrapped) one in process, the worker's one for the session's transport settings.</summary>
    public required HttpClient Client { get; init; }

    public required HttpRequest Request { get; init; }

    public required RequestBody Body { get; init; }

    /// <summary>The session's jar in process; in a worker, a jar made from the session's snapshot that records what is set.</summary>
    public required CookieJar Jar { get; init; }

    /// <summary>The request's timeout and its caller's cancellation; disposed by whoever made it.</summary>
    public required RequestDeadline Deadline { get; init; }

    public ProgressTracker? Progress { get; init; }
}
